using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// Predicts, for each engine, how long a request would wait and prefill there:
/// <code>
/// predicted_ttft = queue_ms + max(1, uncached_tokens) × prefill_ms_per_token
/// queue_ms       = pending_prefill_tokens × prefill_ms_per_token + max(0, load − slots + 1) × service_ms / slots
/// </code>
/// <c>uncached_tokens</c> is the prompt minus the blocks the index says the engine holds; <c>pending_prefill_tokens</c>
/// the prefill that every coordinator has sent there and not yet seen a first token for (the index shares it; without
/// the index, what this coordinator alone has sent); <c>load</c> the larger of the
/// engine's reported requests and this coordinator's in flight; <c>service_ms</c> the learned time a request holds a slot.
/// An engine that has not measured its prefill cost yet is estimated at the median of those that have, so that a new
/// engine is compared on its load and cache, not on a guess.
/// </summary>
public static class CandidateEstimator
{
    public static List<Candidate> Estimate(
        IReadOnlyList<EngineEntry> engines, IReadOnlyList<PrefixMatch> matches, int promptTokens, int promptBlocks, double defaultPrefillMsPerToken)
    {
        var fleetCost = FleetMedian(engines) ?? defaultPrefillMsPerToken;
        var candidates = new List<Candidate>(engines.Count);
        for (var i = 0; i < engines.Count; i++)
        {
            var engine = engines[i];
            var match = matches[i];
            var cost = engine.PrefillCostLearned ? engine.PrefillMsPerToken : fleetCost;
            var cachedTokens = Math.Min(promptTokens, Math.Min(match.MatchedBlocks, promptBlocks) * engine.Heartbeat.BlockSize);
            var uncached = promptTokens - cachedTokens;
            var slots = engine.Slots;
            var queued = Math.Max(0, engine.Load - slots + 1);
            var pending = Math.Max(match.PendingPrefillTokens, engine.PendingPrefillTokens);
            var queueMs = pending * cost + queued * engine.ServiceMs / slots;
            candidates.Add(new Candidate(engine, match.MatchedBlocks, cachedTokens, uncached, match.ProtectedBlocks, cost, engine.PrefillCostLearned,
                queueMs, Math.Max(1, uncached) * cost, Saturated: queued > 0, match.PrefillingSamePrefix));
        }
        return candidates;
    }

    private static double? FleetMedian(IReadOnlyList<EngineEntry> engines)
    {
        var learned = engines.Where(e => e.PrefillCostLearned && !e.IsStatic).Select(e => e.PrefillMsPerToken).Order().ToList();
        return learned.Count == 0 ? null : learned[learned.Count / 2];
    }
}
