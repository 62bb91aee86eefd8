namespace Mesh.Dashboard.Storage.Traces;

/// <summary>Something that happened at one moment inside a span (an exception, a stage marker).</summary>
public sealed record SpanEvent(string Name, DateTimeOffset Time, KeyValuePair<string, string>[] Attributes);
