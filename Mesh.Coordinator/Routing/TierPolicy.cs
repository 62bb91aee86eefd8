using Mesh.Contracts.Routing;

namespace Mesh.Coordinator.Routing;

/// <summary>MoFA's tier policies: which tiers a request may use.</summary>
public enum TierPolicy
{
    LocalOnly,
    CloudOnly,
    LocalFirstWithCloudFallback,
}

public static class TierPolicies
{
    public static string ToWire(this TierPolicy policy) => policy switch
    {
        TierPolicy.LocalOnly => TierPolicyNames.LocalOnly,
        TierPolicy.CloudOnly => TierPolicyNames.CloudOnly,
        _ => TierPolicyNames.LocalFirstWithCloudFallback,
    };

    public static bool TryParse(string? value, out TierPolicy policy) =>
        Enum.TryParse(value?.Trim(), ignoreCase: true, out policy) && Enum.IsDefined(policy);
}
