namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>What an instrument's points mean, from the OTLP metric's data kind (and a sum's monotonicity).</summary>
public enum MetricInstrumentKind
{
    Gauge,
    /// <summary>A monotonic sum: a counter.</summary>
    Counter,
    /// <summary>A sum that may go down.</summary>
    UpDownCounter,
    Histogram,
    ExponentialHistogram,
    Summary,
}
