using Mesh.Contracts.Registry;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// The one place tier policies act on routing: which engines a request may use, and in what order the tiers come.
/// <c>LocalOnly</c> and <c>CloudOnly</c> keep one tier; <c>LocalFirstWithCloudFallback</c> puts every local engine before
/// the cloud, and the cloud first when no local engine can take the request (all full). Within a tier, engines that
/// can take a request come before full ones, in the policy's order.
/// </summary>
public static class TierSelector
{
    public const string CloudOnlyReason = "cloud_only";
    public const string CloudFallbackReason = "cloud_fallback";

    public static bool Allows(TierPolicy policy, EngineTier tier) => policy switch
    {
        TierPolicy.LocalOnly => tier == EngineTier.Local,
        TierPolicy.CloudOnly => tier == EngineTier.Cloud,
        _ => true,
    };

    /// <summary>The policy's ranking in tier order, and the reason for the first (the policy's own, unless the tier decided).</summary>
    public static PolicyChoice Order(TierPolicy policy, PolicyChoice choice)
    {
        List<Candidate> ranked = [.. choice.Ranked
            .OrderBy(c => policy == TierPolicy.LocalFirstWithCloudFallback && c.Engine.Tier == EngineTier.Cloud ? 1 : 0)
            .ThenBy(c => c.Engine.IsFull ? 1 : 0)];
        if (policy == TierPolicy.LocalFirstWithCloudFallback && ranked[0].Engine.IsFull
            && ranked.FirstOrDefault(c => c.Engine.Tier == EngineTier.Cloud && !c.Engine.IsFull) is { } cloud)
        {
            ranked.Remove(cloud);
            ranked.Insert(0, cloud);
        }
        var reason = policy switch
        {
            TierPolicy.CloudOnly => CloudOnlyReason,
            TierPolicy.LocalFirstWithCloudFallback when ranked[0].Engine.Tier == EngineTier.Cloud => CloudFallbackReason,
            _ => choice.Reason,
        };
        return new PolicyChoice(ranked, reason);
    }
}
