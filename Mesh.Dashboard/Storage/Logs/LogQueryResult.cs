namespace Mesh.Dashboard.Storage.Logs;

/// <summary>The newest matching records (newest first), and whether older matches were left out by the limit.</summary>
internal sealed record LogQueryResult(IReadOnlyList<TelemetryLogRecord> Records, bool Truncated, int StoredCount);
