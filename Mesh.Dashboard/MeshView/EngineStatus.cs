namespace Mesh.Dashboard.MeshView;

/// <summary>An engine replica as the mesh page shows it: its load and cache, from its gauges and the coordinator's counters.</summary>
public sealed record EngineStatus
{
    public required string Name { get; init; }

    public string? Tier { get; init; }

    /// <summary>False for an engine known only from routing decisions (a cloud endpoint that sends no telemetry).</summary>
    public bool ReportsMetrics { get; init; }

    public double? Running { get; init; }

    public double? Waiting { get; init; }

    public double? KvBlocksUsed { get; init; }

    public double? KvBlocksCached { get; init; }

    public double? KvBlocksTotal { get; init; }

    public double? PrefillTokensPerSecond { get; init; }

    public double? DecodeTokensPerSecond { get; init; }

    /// <summary>Prompt tokens served from the prefix cache over prompt tokens, over the rate window (else since start).</summary>
    public double? PrefixCacheHitRate { get; init; }

    /// <summary>Routing decisions that chose this engine, per second over the rate window.</summary>
    public double? RoutedPerSecond { get; init; }

    /// <summary>Of the decisions for this engine in the window, those that found a cached prefix on it.</summary>
    public double? RoutingHitRatio { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    public double? KvUse => KvBlocksUsed is { } used && KvBlocksTotal is > 0 ? used / KvBlocksTotal : null;

    public double? Load => Running is null && Waiting is null ? null : (Running ?? 0) + (Waiting ?? 0);
}
