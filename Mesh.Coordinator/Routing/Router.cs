using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// Picks the engines for one request: those whose circuit allows it and that are not draining, that serve the model, that the tier policy
/// admits (and only static backends for a request that asks what the mesh's engines cannot do); one prefix-index lookup for all of them when the policy uses it; each one's predicted cost
/// (<see cref="CandidateEstimator"/>); the policy's ranking; then the tiers' order (<see cref="TierSelector"/>).
/// </summary>
public sealed class Router(EngineRegistry registry, IPrefixIndex prefixIndex, IOptions<CoordinatorOptions> options)
{
    private readonly double _defaultPrefillMsPerToken = options.Value.Scoring.DefaultPrefillMsPerToken;

    public async ValueTask<RoutingDecision> DecideAsync(
        IRoutingPolicy policy, TierPolicy tierPolicy, string model, int promptTokens, ReadOnlyMemory<ulong> blockHashes,
        CancellationToken cancellationToken, bool staticBackendsOnly = false)
    {
        var eligible = registry.Engines
            .Where(e => e.Breaker.AllowsRouting && !registry.IsDraining(e.Id) && registry.Serves(e, model) && TierSelector.Allows(tierPolicy, e.Tier) && (e.IsStatic || !staticBackendsOnly))
            .ToList();
        if (eligible.Count == 0)
        {
            return new RoutingDecision(policy, tierPolicy, [], RoutingDecision.NoCandidate, blockHashes.Length);
        }
        var matches = policy.UsesPrefixIndex ? await LookupAsync(eligible, blockHashes, cancellationToken) : new PrefixMatch[eligible.Count];
        var candidates = CandidateEstimator.Estimate(eligible, matches, promptTokens, blockHashes.Length, _defaultPrefillMsPerToken);
        var choice = TierSelector.Order(tierPolicy, policy.Rank(candidates));
        return new RoutingDecision(policy, tierPolicy, choice.Ranked, choice.Reason, blockHashes.Length);
    }

    private async ValueTask<PrefixMatch[]> LookupAsync(List<EngineEntry> eligible, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        var matches = new PrefixMatch[eligible.Count];
        var indexed = new List<EngineInstance>(eligible.Count);
        var positions = new List<int>(eligible.Count);
        for (var i = 0; i < eligible.Count; i++)
        {
            if (!eligible[i].IsStatic)
            {
                indexed.Add(eligible[i].Instance);
                positions.Add(i);
            }
        }
        if (indexed.Count == 0 || blockHashes.IsEmpty)
        {
            return matches;
        }
        var found = await prefixIndex.LookupAsync(indexed, blockHashes, cancellationToken);
        for (var i = 0; i < found.Length; i++)
        {
            matches[positions[i]] = found[i];
        }
        return matches;
    }

}
