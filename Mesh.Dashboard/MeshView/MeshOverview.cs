using Mesh.Dashboard.Storage.Metrics;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.MeshView;

/// <summary>Everything the mesh page shows, computed from the store in one pass.</summary>
public sealed record MeshOverview
{
    public required DateTimeOffset GeneratedAt { get; init; }

    public required TimeSpan RateWindow { get; init; }

    public required IReadOnlyList<EngineStatus> Engines { get; init; }

    public double? ActiveEngines { get; init; }

    public required IReadOnlyList<RoutingDecisionRate> Decisions { get; init; }

    public double DecisionsPerSecond => Decisions.Sum(decision => decision.PerSecond);

    public required CounterRate CacheHits { get; init; }

    public required CounterRate CacheMisses { get; init; }

    public required CounterRate StaleDetected { get; init; }

    /// <summary>Hits over hits and misses that happened in the rate window (or since start when the window saw none).</summary>
    public double? CacheHitRatio { get; init; }

    public required IReadOnlyList<CounterRate> Failures { get; init; }

    public required IReadOnlyList<LatencySummary> Latencies { get; init; }

    public required IReadOnlyList<ChartSeries> DecisionHistory { get; init; }

    public required IReadOnlyList<ChartSeries> CacheHistory { get; init; }

    public required IReadOnlyList<MeshRequest> Requests { get; init; }

    /// <summary>Recent workflow runs, each with the requests its steps made.</summary>
    public IReadOnlyList<WorkflowRunView> WorkflowRuns { get; init; } = [];

    public bool IsEmpty => Engines.Count == 0 && Requests.Count == 0 && Decisions.Count == 0;
}

/// <summary>A workflow run: its trace and the routing decision of each step's request.</summary>
public sealed record WorkflowRunView(TraceId TraceId, DateTimeOffset Start, TimeSpan Duration, IReadOnlyList<MeshRequest> Steps);
