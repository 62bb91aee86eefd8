namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>
/// A histogram point's buckets: <see cref="BucketCounts"/> has one more entry than <see cref="Bounds"/>, bucket i holding
/// values in (Bounds[i-1], Bounds[i]] and the last everything above the last bound. Exponential histograms are stored
/// in this form too; summaries keep only their quantiles.
/// </summary>
public sealed record MetricDistribution(
    ulong Count,
    double? Sum,
    double? Min,
    double? Max,
    double[] Bounds,
    ulong[] BucketCounts,
    MetricQuantile[]? Quantiles = null);
