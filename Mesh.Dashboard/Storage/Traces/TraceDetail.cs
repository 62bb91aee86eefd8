namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A whole trace: its summary and its spans in waterfall order (depth first, siblings by start time).</summary>
public sealed record TraceDetail(TraceSummary Summary, IReadOnlyList<TraceSpanRow> Spans)
{
    public TelemetrySpan? FindSpan(SpanId spanId) => Spans.FirstOrDefault(row => row.Span.SpanId == spanId)?.Span;

    public TelemetrySpan? FindSpan(string name) => Spans.FirstOrDefault(row => row.Span.Name == name)?.Span;
}
