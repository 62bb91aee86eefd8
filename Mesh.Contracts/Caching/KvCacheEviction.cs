namespace Mesh.Contracts.Caching;

/// <summary>
/// How an engine's prefix cache evicts, which the coordinators' prefix index mirrors so that the two agree on
/// what an engine still holds: a segmented LRU where blocks that were reused are protected, up to this share of
/// the capacity, and blocks seen once go first.
/// </summary>
public static class KvCacheEviction
{
    /// <summary>The share of an engine's KV capacity that protected (reused) blocks may take.</summary>
    public const double ProtectedShare = 0.8;

    public static int ProtectedLimit(int capacityBlocks) => Math.Max(1, (int)(capacityBlocks * ProtectedShare));
}
