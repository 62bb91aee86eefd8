namespace Mesh.Coordinator.Routing;

/// <summary>The router's answer: every eligible engine, best first, and why the first one won.</summary>
public sealed record RoutingDecision(
    RoutingPolicy Policy,
    TierPolicy TierPolicy,
    IReadOnlyList<Candidate> Ranked,
    string Reason,
    int PromptBlocks)
{
    public Candidate? Chosen => Ranked.Count > 0 ? Ranked[0] : null;

    /// <summary>Reasons, as the trace and the <c>reason</c> metric attribute give them.</summary>
    public static class Reasons
    {
        public const string PrefixHit = "prefix_hit";
        public const string SpreadFromSaturated = "spread_from_saturated_holder";
        public const string LowestTtft = "lowest_predicted_ttft";
        public const string LeastLoaded = "least_loaded";
        public const string RoundRobin = "round_robin";
        public const string CloudOnly = "cloud_only";
        public const string CloudFallback = "cloud_fallback";
        public const string NoCandidate = "no_candidate";
    }
}
