using Mesh.Contracts.Routing;
using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// One engine as the router saw it for one request: the blocks of the prompt it holds, what its cache protects,
/// and the predicted time to first token (queue wait plus uncached prompt tokens times its prefill cost). A policy
/// adds the placement terms and the score it ranks by. <see cref="PrefillingSamePrefix"/>: a prompt with the same first
/// block is being prefilled there right now, so the engine may report only the part of the prefix computed so far.
/// </summary>
public sealed record Candidate(
    EngineEntry Engine,
    int MatchedBlocks,
    int CachedTokens,
    int UncachedTokens,
    int ProtectedBlocks,
    double PrefillMsPerToken,
    bool CostLearned,
    double QueueMs,
    double PrefillMs,
    bool Saturated,
    bool PrefillingSamePrefix = false)
{
    public string Id => Engine.Id;

    public double PredictedTtftMs => QueueMs + PrefillMs;

    public double CopyMs { get; init; }

    public double EvictMs { get; init; }

    /// <summary>What the policy ranked by; the predicted TTFT unless the policy adds to it.</summary>
    public double ScoreMs { get; init; } = QueueMs + PrefillMs;

    public CandidateReport ToReport() => new()
    {
        Engine = Id,
        Tier = Engine.TierName,
        ScoreMs = Math.Round(ScoreMs, 3),
        PredictedTtftMs = Math.Round(PredictedTtftMs, 3),
        QueueMs = Math.Round(QueueMs, 3),
        PrefillMs = Math.Round(PrefillMs, 3),
        CopyMs = Math.Round(CopyMs, 3),
        EvictMs = Math.Round(EvictMs, 3),
        MatchedBlocks = MatchedBlocks,
        CachedTokens = CachedTokens,
        UncachedTokens = UncachedTokens,
        ProtectedBlocks = ProtectedBlocks,
        PrefillMsPerToken = Math.Round(PrefillMsPerToken, 4),
        CostLearned = CostLearned,
        Load = Engine.Load,
        Slots = Engine.Slots,
        Saturated = Saturated,
        Circuit = Engine.Breaker.State.ToString(),
    };
}
