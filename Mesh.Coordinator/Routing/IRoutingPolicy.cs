namespace Mesh.Coordinator.Routing;

/// <summary>
/// A way of choosing among the engines that may serve a request. Policies are registered together and chosen by
/// <see cref="Name"/> at run time (<c>x-mesh-policy</c>, or <c>Coordinator:DefaultPolicy</c>), so a new one is a new
/// class and one registration, and touches no other policy.
/// </summary>
public interface IRoutingPolicy
{
    /// <summary>The name requests use, as in <see cref="Contracts.Routing.RoutingPolicyNames"/>.</summary>
    string Name { get; }

    /// <summary>Whether the router should look the prompt up in the prefix index first (one Redis round trip).</summary>
    bool UsesPrefixIndex { get; }

    /// <summary>Orders the candidates, best first, and says why the first one won.</summary>
    PolicyChoice Rank(IReadOnlyList<Candidate> candidates);
}

/// <summary>A policy's answer: every candidate, best first (the rest are the failover order), and the reason for the first.</summary>
public readonly record struct PolicyChoice(IReadOnlyList<Candidate> Ranked, string Reason);
