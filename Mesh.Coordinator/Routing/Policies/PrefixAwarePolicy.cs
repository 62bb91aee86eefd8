using Mesh.Contracts.Caching;
using Mesh.Contracts.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Routing.Policies;

/// <summary>
/// The mesh's own policy: each engine's score is what sending the request there costs, in milliseconds, counting
/// what the placement does to the caches and not only to this request:
/// <code>
/// score = predicted_ttft + copy + evict
///   predicted_ttft = queue_ms + uncached_tokens × prefill_ms_per_token          (this request's own wait)
///   copy  = replication_weight × (best_cached_tokens − cached_tokens) × prefill_ms_per_token
///   evict = reused blocks it would push out of the engine's protected cache × block_size × prefill_ms_per_token
/// </code>
/// <para>
/// <b>copy</b> is the price of a second copy of a prefix that another engine already holds: that copy takes
/// capacity there, and every later request of the prefix is then split between two caches. Greedy time-to-first-token
/// routing leaves it out, so a hit queued behind one prefill loses to a miss on an idle engine, the prefix is copied
/// and evicts another, and on a workload whose prefixes outgrow one engine the caches thrash. With it, the holder
/// keeps its prefix until its queue costs more than (1 + replication_weight) times the prefill it saves: a hot prefix
/// spreads to a second engine only when its load requires it, and each copy then takes its share of that load.
/// </para>
/// <para>
/// <b>evict</b> places a new prefix where it displaces the least: an engine's cache protects reused blocks up to a
/// share of its capacity, and a prefix placed where that share is full pushes older reused blocks out, which later
/// requests pay for again. New prefixes therefore spread across engines with room, at equal load.
/// </para>
/// Scores within <see cref="TieMs"/> or <see cref="TieShare"/> of the best are ties (engines' learned costs differ by
/// noise; without a margin, the engine that measured itself a little faster would take every new prefix): among them
/// the least loaded goes first, then each in turn. An engine that has not yet measured its prefill cost is scored at the fleet's median (see
/// <see cref="CandidateEstimator"/>), so it is neither shunned nor flooded, and learns from its first requests.
/// </summary>
public sealed class PrefixAwarePolicy(IOptions<CoordinatorOptions> options) : IRoutingPolicy
{
    public const string PrefixHit = "prefix_hit";
    public const string SpreadFromSaturated = "spread_from_saturated_holder";
    public const string LowestCost = "lowest_predicted_ttft";

    public const double TieMs = 2;
    public const double TieShare = 0.05;

    private readonly double _replicationWeight = options.Value.Scoring.ReplicationWeight;
    private readonly Rotation _rotation = new();

    public string Name => RoutingPolicyNames.PrefixAware;

    public bool UsesPrefixIndex => true;

    public PolicyChoice Rank(IReadOnlyList<Candidate> candidates)
    {
        var bestCached = candidates.Max(c => c.CachedTokens);
        var bestMatched = candidates.Max(c => c.MatchedBlocks);
        var scored = candidates.Select(c => Score(c, bestCached)).ToList();
        var order = _rotation.Next(scored);
        var best = scored.Min(c => c.ScoreMs);
        var tie = best + Math.Max(TieMs, TieShare * best);
        List<Candidate> ranked = [.. scored
            .OrderBy(c => c.ScoreMs <= tie ? 0 : 1)
            .ThenBy(c => c.ScoreMs <= tie ? 0 : c.ScoreMs)
            .ThenBy(c => c.Engine.Load)
            .ThenBy(c => order[c])];
        var chosen = ranked[0];
        var reason = bestMatched == 0 ? LowestCost : chosen.MatchedBlocks < bestMatched ? SpreadFromSaturated : PrefixHit;
        return new PolicyChoice(ranked, reason);
    }

    private Candidate Score(Candidate candidate, int bestCachedTokens)
    {
        var copyMs = _replicationWeight * (bestCachedTokens - candidate.CachedTokens) * candidate.PrefillMsPerToken;
        var evictMs = 0.0;
        if (!candidate.Engine.IsStatic)
        {
            var blockSize = candidate.Engine.Heartbeat.BlockSize;
            var newBlocks = (candidate.UncachedTokens + blockSize - 1) / blockSize;
            var limit = KvCacheEviction.ProtectedLimit(candidate.Engine.Heartbeat.KvCapacityBlocks);
            var displaced = Math.Clamp(candidate.ProtectedBlocks + newBlocks - limit, 0, newBlocks);
            evictMs = displaced * blockSize * candidate.PrefillMsPerToken;
        }
        return candidate with { CopyMs = copyMs, EvictMs = evictMs, ScoreMs = candidate.PredictedTtftMs + copyMs + evictMs };
    }
}
