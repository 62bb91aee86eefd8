using Mesh.Contracts.Registry;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// The tier policy's part in failover, for one request: each tier gets at most <c>MaxAttempts</c> tries, and the local
/// tier counts as exhausted once, either when no candidate is left after tries or when the cloud takes over after
/// local failures (<c>LocalFirstWithCloudFallback</c>). The order the tiers come in is <see cref="TierSelector"/>'s.
/// </summary>
internal sealed class TierAttempts(TierPolicy policy, int maxAttemptsPerTier)
{
    private int _local;
    private int _cloud;
    private bool _exhausted;

    public bool HasAttemptLeft(EngineTier tier) => (tier == EngineTier.Cloud ? _cloud : _local) < maxAttemptsPerTier;

    public void Take(EngineTier tier)
    {
        if (tier == EngineTier.Cloud)
        {
            _cloud++;
        }
        else
        {
            _local++;
        }
    }

    /// <summary>A fresh budget for another round (the mesh was busy and the router asked again).</summary>
    public void Reset() => (_local, _cloud) = (0, 0);

    /// <summary>True the first time a request that has tried engines finds none left.</summary>
    public bool ExhaustedWithNoneLeft(bool triedAny) => triedAny && MarkExhausted();

    /// <summary>True when <paramref name="next"/> is the cloud taking over from failed local engines (counted once).</summary>
    public bool CloudTakesOver(EngineTier next) =>
        next == EngineTier.Cloud && policy == TierPolicy.LocalFirstWithCloudFallback && _local > 0 && MarkExhausted();

    private bool MarkExhausted()
    {
        if (_exhausted)
        {
            return false;
        }
        _exhausted = true;
        return true;
    }
}
