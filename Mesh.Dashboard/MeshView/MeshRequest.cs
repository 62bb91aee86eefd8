using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.MeshView;

/// <summary>One request through the mesh, from its <c>mesh.request</c> trace.</summary>
public sealed record MeshRequest
{
    public required TraceId TraceId { get; init; }

    /// <summary>The request's own <c>mesh.request</c> span: a trace may hold several (each step of a workflow run).</summary>
    public SpanId SpanId { get; init; }

    /// <summary>The workflow step the request was made for, when it was made inside a workflow run.</summary>
    public string? WorkflowStep { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required TimeSpan Duration { get; init; }

    public required string Coordinator { get; init; }

    public string? RequestId { get; init; }

    public string? Policy { get; init; }

    public string? TierPolicy { get; init; }

    public string? Engine { get; init; }

    public string? Tier { get; init; }

    public string? Reason { get; init; }

    public string? CachedTokens { get; init; }

    public string? PredictedCachedTokens { get; init; }

    public double? LatencyMs { get; init; }

    public double? TimeToFirstTokenMs { get; init; }

    public double? TokensStreamed { get; init; }

    public double? TokensPerSecond { get; init; }

    public double? TotalTimeMs { get; init; }

    public bool HasError { get; init; }

    /// <summary>The seven MoFA stages in order, present or not.</summary>
    public required IReadOnlyList<MeshStage> Stages { get; init; }

    public BackendSelection? Selection { get; init; }

    public int StagesPresent => Stages.Count(stage => stage.Present);
}
