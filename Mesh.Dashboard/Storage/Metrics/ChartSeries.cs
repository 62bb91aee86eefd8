namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>A named line of a chart.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<ChartPoint> Points);
