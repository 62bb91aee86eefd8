namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A filter over the stored traces; every criterion left null matches everything.</summary>
internal sealed record TraceQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 5_000;

    /// <summary>A resource's display name: traces with at least one span from it.</summary>
    public string? Resource { get; init; }

    /// <summary>Matched against the trace id, span names and attribute keys and values, ignoring case.</summary>
    public string? Text { get; init; }

    /// <summary>Traces with at least one span of this exact name.</summary>
    public string? SpanName { get; init; }

    public bool ErrorsOnly { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public TimeSpan? MinDuration { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}
