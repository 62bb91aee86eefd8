namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>A summary's precomputed quantile (0.5, 0.99...).</summary>
public readonly record struct MetricQuantile(double Quantile, double Value);
