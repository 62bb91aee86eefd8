namespace Mesh.Coordinator.Routing;

/// <summary>The router's answer: every eligible engine, best first, and why the first one won.</summary>
public sealed record RoutingDecision(
    IRoutingPolicy Policy,
    TierPolicy TierPolicy,
    IReadOnlyList<Candidate> Ranked,
    string Reason,
    int PromptBlocks)
{
    public const string NoCandidate = "no_candidate";

    public Candidate? Chosen => Ranked.Count > 0 ? Ranked[0] : null;
}
