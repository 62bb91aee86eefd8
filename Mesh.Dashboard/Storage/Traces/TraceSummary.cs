namespace Mesh.Dashboard.Storage.Traces;

/// <summary>One line of the trace list.</summary>
/// <param name="Name">The root span's name (or, until the root arrives, the earliest span's).</param>
/// <param name="HasRoot">False while the root span has not arrived.</param>
public sealed record TraceSummary(
    TraceId TraceId,
    string Name,
    string RootResource,
    bool HasRoot,
    DateTimeOffset Start,
    TimeSpan Duration,
    int SpanCount,
    int ErrorCount,
    string[] Resources,
    int GenAiSpanCount = 0);
