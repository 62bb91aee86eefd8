namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The recency score of an entry: Unix milliseconds of its last use, nudged so that within one prompt the first
/// block counts as the most recent. Evicting the oldest then drops a prompt's tail before its head, which keeps
/// the remaining entries a usable prefix (an engine evicts in the same order).
/// </summary>
public static class PrefixScores
{
    private const double BlockNudge = 1e-3;

    public static double For(long nowMs, int blockIndex, int blockCount) => nowMs + (blockCount - blockIndex) * BlockNudge;

    public static double ExpiredBefore(long nowMs, TimeSpan ttl) => nowMs - ttl.TotalMilliseconds;
}
