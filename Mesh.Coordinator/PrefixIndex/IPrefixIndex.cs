namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// Which engine instance holds which prompt blocks, and the prefills on their way to it, shared by every coordinator.
/// It mirrors how an engine evicts (<see cref="PrefixScores"/>): entries expire when not refreshed within the TTL, each
/// instance keeps at most its KV capacity in blocks, blocks seen once are evicted before reused ones, and within a
/// prompt the tail before the head. Each operation is one round trip.
/// </summary>
public interface IPrefixIndex
{
    /// <summary>For each engine: the leading blocks of the prompt (given by its chained block hashes) it holds, its protected footprint and its pending prefill.</summary>
    ValueTask<PrefixMatch[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the engine now holds these leading blocks, refreshing them as most recently used (the first block
    /// most of all). The first <paramref name="reusedBlocks"/> were already there and served from its cache, so they
    /// become protected. A routing choice also records its <paramref name="pending"/> prefill, in the same round trip.
    /// </summary>
    ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, int reusedBlocks, PendingPrefill? pending, CancellationToken cancellationToken);

    /// <summary>The prefill has produced its first token (or failed): it is no longer work ahead of others.</summary>
    ValueTask CompletePrefillAsync(EngineInstance engine, PendingPrefill pending, CancellationToken cancellationToken);

    /// <summary>Drops everything about an engine instance (a new epoch, or the engine is gone).</summary>
    ValueTask DropAsync(EngineInstance engine, CancellationToken cancellationToken);

    /// <summary>Entries held for an engine instance, expired ones included until purged (for tests and the mesh state).</summary>
    ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken);

    string Kind { get; }
}
