namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A span in the waterfall with its depth in the tree (0 for roots and orphans).</summary>
public sealed record TraceSpanRow(TelemetrySpan Span, int Depth, int ChildCount);
