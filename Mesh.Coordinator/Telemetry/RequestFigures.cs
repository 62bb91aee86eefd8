namespace Mesh.Coordinator.Telemetry;

/// <summary>MoFA's per-request figures, reported in each response, the trace JSON and the histograms.</summary>
internal readonly record struct RequestFigures(
    double LatencyMs,
    double TimeToFirstTokenMs,
    int TokensStreamed,
    double TokensPerSecond,
    double TotalTimeMs);
