namespace Mesh.Coordinator.Routing;

/// <summary>How an engine is chosen among the eligible ones.</summary>
public enum RoutingPolicy
{
    /// <summary>Lowest predicted time to first token: queue wait plus uncached prompt tokens times the engine's prefill cost.</summary>
    PrefixAware,

    /// <summary>Fewest requests per slot.</summary>
    LeastLoaded,

    /// <summary>Each in turn.</summary>
    RoundRobin,
}

/// <summary>MoFA's tier policies: which tiers a request may use.</summary>
public enum TierPolicy
{
    LocalOnly,
    CloudOnly,
    LocalFirstWithCloudFallback,
}

public static class PolicyNames
{
    public static string ToWire(this RoutingPolicy policy) => policy switch
    {
        RoutingPolicy.PrefixAware => "prefix_aware",
        RoutingPolicy.LeastLoaded => "least_loaded",
        _ => "round_robin",
    };

    public static bool TryParseRouting(string? value, out RoutingPolicy policy)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "prefix_aware" or "prefixaware":
                policy = RoutingPolicy.PrefixAware;
                return true;
            case "least_loaded" or "leastloaded":
                policy = RoutingPolicy.LeastLoaded;
                return true;
            case "round_robin" or "roundrobin":
                policy = RoutingPolicy.RoundRobin;
                return true;
            default:
                policy = default;
                return false;
        }
    }

    public static bool TryParseTier(string? value, out TierPolicy policy) =>
        Enum.TryParse(value?.Trim(), ignoreCase: true, out policy) && Enum.IsDefined(policy);
}
