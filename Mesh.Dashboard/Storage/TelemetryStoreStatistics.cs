namespace Mesh.Dashboard.Storage;

/// <summary>What the store holds now and what it has taken in since it started.</summary>
internal sealed record TelemetryStoreStatistics(
    int Resources,
    int Traces,
    int Spans,
    int LogRecords,
    int Instruments,
    int Series,
    long AcceptedSpans,
    long AcceptedLogRecords,
    long AcceptedMetricPoints,
    long RejectedItems,
    long Version);
