namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// Which engine instance holds which prompt blocks, shared by every coordinator. It mirrors how an engine evicts
/// (<see cref="PrefixScores"/>): entries expire when not refreshed within the TTL, each instance keeps at most its KV
/// capacity in blocks, blocks seen once are evicted before reused ones, and within a prompt the tail before the head.
/// Each operation is one round trip.
/// </summary>
public interface IPrefixIndex
{
    /// <summary>For each engine, the leading blocks of the prompt (given by its chained block hashes) it holds, and its protected footprint.</summary>
    ValueTask<PrefixMatch[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the engine now holds these leading blocks, refreshing them as most recently used (the first block
    /// most of all). The first <paramref name="reusedBlocks"/> were already there and served from its cache, so they
    /// become protected. With <paramref name="forgetOthers"/>, the engine's other entries are dropped first: the
    /// engine reported fewer cached tokens than promised, so what else the index says of it is suspect too.
    /// </summary>
    ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, int reusedBlocks, bool forgetOthers, CancellationToken cancellationToken);

    /// <summary>Drops everything about an engine instance (a new epoch, or the engine is gone).</summary>
    ValueTask DropAsync(string engineId, long epoch, CancellationToken cancellationToken);

    /// <summary>Entries held for an engine instance, expired ones included until purged (for tests and the mesh state).</summary>
    ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken);

    string Kind { get; }
}
