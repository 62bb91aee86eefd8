using Mesh.Contracts.Registry;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using static Mesh.Coordinator.Routing.RoutingDecision;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// Ranks the engines for one request.
/// <para>
/// <b>prefix_aware</b> scores each engine by its predicted time to first token, in milliseconds:
/// <c>queue_ms + uncached_tokens × prefill_ms_per_token</c>, where <c>uncached_tokens</c> is the prompt minus
/// the blocks the prefix index says the engine holds, <c>prefill_ms_per_token</c> is learned from what the
/// engine reports, and <c>queue_ms = pending_prefill_tokens × prefill_ms_per_token + max(0, load − slots + 1) ×
/// service_ms / slots</c>: the prefill work already ahead of the request on that engine, plus the wait for a slot
/// when all are busy (<c>pending_prefill_tokens</c> are the prompt tokens this coordinator has sent the engine and
/// not yet seen a first token for; <c>load</c> is the larger of the engine's reported requests and this coordinator's
/// in flight there; <c>service_ms</c> is the learned time a request holds a slot). A cache hit on a saturated engine thus
/// loses to a miss on an idle one as soon as its queue costs more than the prefill it saves, and a hot prefix
/// spreads to a second engine (which then caches it too) without any fleet-wide switch.
/// </para>
/// <para><b>least_loaded</b> ranks by load per slot; <b>round_robin</b> rotates.</para>
/// <para>
/// Tiers: <c>LocalOnly</c> and <c>CloudOnly</c> keep one tier; <c>LocalFirstWithCloudFallback</c> ranks local
/// engines first and the cloud after them, and puts the cloud first when no local engine can take the request
/// (all full or failing). Engines whose circuit is open, or that are full, never come first.
/// </para>
/// </summary>
public sealed class Router(EngineRegistry registry, IPrefixIndex prefixIndex)
{
    private int _roundRobin;

    public async ValueTask<RoutingDecision> DecideAsync(
        RoutingPolicy policy, TierPolicy tierPolicy, string model, int promptTokens, ReadOnlyMemory<ulong> blockHashes,
        CancellationToken cancellationToken)
    {
        var eligible = registry.Engines
            .Where(e => e.Breaker.AllowsRouting && ServesModel(e, model) && TierAllowed(e.Tier, tierPolicy))
            .ToList();
        if (eligible.Count == 0)
        {
            return new RoutingDecision(policy, tierPolicy, [], Reasons.NoCandidate, blockHashes.Length);
        }
        var matched = policy == RoutingPolicy.PrefixAware
            ? await LookupAsync(eligible, blockHashes, cancellationToken)
            : new int[eligible.Count];

        var candidates = new List<Candidate>(eligible.Count);
        for (var i = 0; i < eligible.Count; i++)
        {
            candidates.Add(Score(eligible[i], matched[i], promptTokens, blockHashes.Length));
        }
        var ranked = Rank(policy, candidates);
        // Local engines first under LocalFirst; within a tier, available (not full) before full.
        ranked = [.. ranked
            .OrderBy(c => tierPolicy == TierPolicy.LocalFirstWithCloudFallback && c.Engine.Tier == EngineTier.Cloud ? 1 : 0)
            .ThenBy(c => c.Engine.IsFull ? 1 : 0)];
        if (tierPolicy == TierPolicy.LocalFirstWithCloudFallback && ranked[0].Engine.IsFull
            && ranked.FirstOrDefault(c => c.Engine.Tier == EngineTier.Cloud && !c.Engine.IsFull) is { } cloud)
        {
            ranked.Remove(cloud);
            ranked.Insert(0, cloud);
        }
        return new RoutingDecision(policy, tierPolicy, ranked, ReasonFor(policy, tierPolicy, ranked), blockHashes.Length);
    }

    private async ValueTask<int[]> LookupAsync(List<EngineEntry> eligible, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        var indexed = new List<EngineInstance>(eligible.Count);
        var positions = new List<int>(eligible.Count);
        for (var i = 0; i < eligible.Count; i++)
        {
            if (!eligible[i].IsStatic)
            {
                indexed.Add(new EngineInstance(eligible[i].Id, eligible[i].Epoch, eligible[i].Heartbeat.KvCapacityBlocks));
                positions.Add(i);
            }
        }
        var matched = new int[eligible.Count];
        if (indexed.Count == 0 || blockHashes.IsEmpty)
        {
            return matched;
        }
        var found = await prefixIndex.LookupAsync(indexed, blockHashes, cancellationToken);
        for (var i = 0; i < found.Length; i++)
        {
            matched[positions[i]] = found[i];
        }
        return matched;
    }

    private static Candidate Score(EngineEntry engine, int matchedBlocks, int promptTokens, int promptBlocks)
    {
        var blockSize = engine.Heartbeat.BlockSize;
        var cachedTokens = Math.Min(promptTokens, Math.Min(matchedBlocks, promptBlocks) * blockSize);
        var uncached = promptTokens - cachedTokens;
        var slots = engine.Slots;
        var queued = Math.Max(0, engine.Load - slots + 1);
        var queueMs = engine.PendingPrefillTokens * engine.PrefillMsPerToken + queued * engine.ServiceMs / slots;
        var prefillMs = Math.Max(1, uncached) * engine.PrefillMsPerToken;
        return new Candidate(engine, matchedBlocks, uncached, queueMs, prefillMs, queueMs + prefillMs, Saturated: queued > 0);
    }

    private List<Candidate> Rank(RoutingPolicy policy, List<Candidate> candidates)
    {
        var turn = Interlocked.Increment(ref _roundRobin);
        // Rotating the starting point breaks ties evenly instead of sending every tie to the first engine.
        var rotated = candidates
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .Select((c, i) => (Candidate: c, Order: (i - turn % candidates.Count + candidates.Count) % candidates.Count))
            .ToList();
        return policy switch
        {
            RoutingPolicy.RoundRobin => [.. rotated.OrderBy(r => r.Order).Select(r => r.Candidate)],
            RoutingPolicy.LeastLoaded => [.. rotated.OrderBy(r => (double)r.Candidate.Engine.Load / r.Candidate.Engine.Slots).ThenBy(r => r.Order).Select(r => r.Candidate)],
            _ => [.. rotated.OrderBy(r => Math.Round(r.Candidate.ScoreMs, 3)).ThenBy(r => r.Candidate.Engine.Load).ThenBy(r => r.Order).Select(r => r.Candidate)],
        };
    }

    private static string ReasonFor(RoutingPolicy policy, TierPolicy tierPolicy, List<Candidate> ranked)
    {
        var chosen = ranked[0];
        if (tierPolicy == TierPolicy.CloudOnly)
        {
            return Reasons.CloudOnly;
        }
        if (tierPolicy == TierPolicy.LocalFirstWithCloudFallback && chosen.Engine.Tier == EngineTier.Cloud)
        {
            return Reasons.CloudFallback;
        }
        return policy switch
        {
            RoutingPolicy.RoundRobin => Reasons.RoundRobin,
            RoutingPolicy.LeastLoaded => Reasons.LeastLoaded,
            _ when ranked.Any(c => c.MatchedBlocks > chosen.MatchedBlocks) => Reasons.SpreadFromSaturated,
            _ when chosen.MatchedBlocks > 0 => Reasons.PrefixHit,
            _ => Reasons.LowestTtft,
        };
    }

    private static bool ServesModel(EngineEntry engine, string model) =>
        engine.IsStatic || string.Equals(engine.Model, model, StringComparison.Ordinal);

    public static bool TierAllowed(EngineTier tier, TierPolicy policy) => policy switch
    {
        TierPolicy.LocalOnly => tier == EngineTier.Local,
        TierPolicy.CloudOnly => tier == EngineTier.Cloud,
        _ => true,
    };
}
