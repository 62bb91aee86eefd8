namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>
/// One exported value of a series. <see cref="Value"/> is the number for gauges and sums, the sum of the recorded
/// values for histograms (whose buckets are in <see cref="Distribution"/>).
/// </summary>
public readonly record struct MetricPoint(DateTimeOffset Start, DateTimeOffset Time, double Value, MetricDistribution? Distribution = null);
