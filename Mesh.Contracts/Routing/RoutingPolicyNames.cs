namespace Mesh.Contracts.Routing;

/// <summary>The routing policies a request can name in <c>x-mesh-policy</c>, as clients, metrics and traces spell them.</summary>
public static class RoutingPolicyNames
{
    public const string PrefixAware = "prefix_aware";
    public const string LeastLoaded = "least_loaded";
    public const string RoundRobin = "round_robin";

    public static IReadOnlyList<string> All { get; } = [PrefixAware, LeastLoaded, RoundRobin];
}

/// <summary>MoFA's tier policies, which a request can name in <c>x-mesh-tier-policy</c>.</summary>
public static class TierPolicyNames
{
    public const string LocalOnly = "LocalOnly";
    public const string CloudOnly = "CloudOnly";
    public const string LocalFirstWithCloudFallback = "LocalFirstWithCloudFallback";
}
