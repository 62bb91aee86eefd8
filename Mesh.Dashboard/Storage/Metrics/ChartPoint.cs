namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>A value at a time, ready to plot.</summary>
public readonly record struct ChartPoint(DateTimeOffset Time, double Value);
