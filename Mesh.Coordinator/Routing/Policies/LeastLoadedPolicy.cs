using Mesh.Contracts.Routing;

namespace Mesh.Coordinator.Routing.Policies;

/// <summary>Fewest requests per batch slot, ties in turn: the baseline that balances load and ignores the cache.</summary>
public sealed class LeastLoadedPolicy : IRoutingPolicy
{
    public const string Reason = "least_loaded";

    private readonly Rotation _rotation = new();

    public string Name => RoutingPolicyNames.LeastLoaded;

    public bool UsesPrefixIndex => false;

    public PolicyChoice Rank(IReadOnlyList<Candidate> candidates)
    {
        var order = _rotation.Next(candidates);
        return new PolicyChoice([.. candidates.OrderBy(c => (double)c.Engine.Load / c.Engine.Slots).ThenBy(c => order[c])], Reason);
    }
}
