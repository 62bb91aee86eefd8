using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Storage.Traces;

/// <summary>The spans of one trace gathered so far, with running figures. Mutated only under the repository's lock.</summary>
internal sealed class TraceEntry(TraceId traceId)
{
    private readonly HashSet<SpanId> _spanIds = [];

    public TraceId TraceId { get; } = traceId;

    public List<TelemetrySpan> Spans { get; } = [];

    public List<TelemetryResource> Resources { get; } = [];

    public DateTimeOffset Start { get; private set; } = DateTimeOffset.MaxValue;

    public DateTimeOffset End { get; private set; } = DateTimeOffset.MinValue;

    public int ErrorCount { get; private set; }

    /// <summary>Spans of the GenAI conventions (<see cref="MeshView.GenAiSpanView"/>).</summary>
    public int GenAiSpanCount { get; private set; }

    public TelemetrySpan? Root { get; private set; }

    /// <summary>False for a span id already present (an exporter's retry).</summary>
    public bool Add(TelemetrySpan span)
    {
        if (!_spanIds.Add(span.SpanId))
        {
            return false;
        }
        Spans.Add(span);
        if (span.Start < Start)
        {
            Start = span.Start;
        }
        if (span.End > End)
        {
            End = span.End;
        }
        if (span.HasError)
        {
            ErrorCount++;
        }
        if (MeshView.GenAiSpanView.IsGenAi(span))
        {
            GenAiSpanCount++;
        }
        if (span.IsRoot && (Root is null || !Root.IsRoot || span.Start < Root.Start))
        {
            Root = span;
        }
        else if (Root is null || (!Root.IsRoot && span.Start < Root.Start))
        {
            // Until the real root arrives (it ends, and is exported, last), the earliest span stands in.
            Root = span;
        }
        if (!Resources.Contains(span.Resource))
        {
            Resources.Add(span.Resource);
        }
        return true;
    }

    public TraceSummary Summarize() => new(
        TraceId,
        Root?.Name ?? string.Empty,
        Root?.Resource.DisplayName ?? string.Empty,
        Root?.IsRoot ?? false,
        Start,
        End > Start ? End - Start : TimeSpan.Zero,
        Spans.Count,
        ErrorCount,
        [.. Resources.Select(resource => resource.DisplayName)],
        GenAiSpanCount);
}
