using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.Storage.Logs;

/// <summary>A filter over the stored log records; every criterion left null matches everything.</summary>
internal sealed record LogQuery
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 10_000;

    /// <summary>A resource's display name.</summary>
    public string? Resource { get; init; }

    /// <summary>This level and above.</summary>
    public LogSeverity? MinimumSeverity { get; init; }

    /// <summary>Matched against the message, the category and attribute keys and values, ignoring case.</summary>
    public string? Text { get; init; }

    public TraceId? TraceId { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Only records that arrived after this sequence number (for a reader that follows the tail).</summary>
    public long AfterSequence { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}
