using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Mesh.Contracts.Hashing;

/// <summary>
/// Chained hashes of full KV-cache blocks. Block i's hash is XXH3-64 of its token ids, seeded with block
/// i-1's hash, so a hash names the whole prefix up to the end of its block, not just the block's tokens.
/// The engine keys its paged KV cache by these hashes and the coordinator predicts cache hits with them:
/// both must call this one implementation.
/// </summary>
public static class PrefixBlockHasher
{
    public const int DefaultBlockSize = 16;

    /// <summary>The seed of the first block: a fixed, arbitrary constant.</summary>
    public const ulong RootSeed = 0x6D65_7368_5F6B_7631; // "mesh_kv1"

    public static int FullBlockCount(int tokenCount, int blockSize) => tokenCount / blockSize;

    public static ulong HashBlock(ulong parentHash, ReadOnlySpan<int> blockTokens) =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(blockTokens), unchecked((long)parentHash));

    /// <summary>Hashes of every full block of <paramref name="tokens"/>, in order.</summary>
    public static ulong[] ComputeHashes(ReadOnlySpan<int> tokens, int blockSize = DefaultBlockSize)
    {
        var hashes = new ulong[FullBlockCount(tokens.Length, blockSize)];
        ComputeHashes(tokens, blockSize, hashes);
        return hashes;
    }

    public static void ComputeHashes(ReadOnlySpan<int> tokens, int blockSize, Span<ulong> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        var parent = RootSeed;
        var count = Math.Min(destination.Length, FullBlockCount(tokens.Length, blockSize));
        for (var i = 0; i < count; i++)
        {
            parent = HashBlock(parent, tokens.Slice(i * blockSize, blockSize));
            destination[i] = parent;
        }
    }
}
