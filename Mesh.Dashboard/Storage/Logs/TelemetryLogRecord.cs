using Mesh.Dashboard.Storage.Resources;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.Storage.Logs;

/// <summary>One structured log record as the store keeps it. Immutable once built.</summary>
public sealed class TelemetryLogRecord
{
    /// <summary>Assigned by the store in arrival order; a reader asks for records after the last one it saw.</summary>
    public long Sequence { get; internal set; }

    public required DateTimeOffset Timestamp { get; init; }

    public required LogSeverity Severity { get; init; }

    public string? SeverityText { get; init; }

    /// <summary>The body, formatted as text.</summary>
    public required string Message { get; init; }

    public required TelemetryResource Resource { get; init; }

    /// <summary>The logger's category (the instrumentation scope).</summary>
    public string Scope { get; init; } = string.Empty;

    public string? EventName { get; init; }

    public KeyValuePair<string, string>[] Attributes { get; init; } = [];

    public TraceId TraceId { get; init; }

    public SpanId SpanId { get; init; }

    public string? Attribute(string key) => TelemetryAttributes.Find(Attributes, key);
}
