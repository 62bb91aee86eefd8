using Mesh.Contracts.Routing;

namespace Mesh.Coordinator.Routing.Policies;

/// <summary>Each engine in turn, whatever it holds or carries: the baseline that ignores both cache and load.</summary>
public sealed class RoundRobinPolicy : IRoutingPolicy
{
    public const string Reason = "round_robin";

    private readonly Rotation _rotation = new();

    public string Name => RoutingPolicyNames.RoundRobin;

    public bool UsesPrefixIndex => false;

    public PolicyChoice Rank(IReadOnlyList<Candidate> candidates)
    {
        var order = _rotation.Next(candidates);
        return new PolicyChoice([.. candidates.OrderBy(c => order[c])], Reason);
    }
}
