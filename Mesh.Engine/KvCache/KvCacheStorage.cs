using Mesh.Engine.Model;

namespace Mesh.Engine.KvCache;

/// <summary>
/// The key and value tensors of the paged cache, one pair of arrays per layer, laid out
/// <c>[block, slot, kvDim]</c>: position <c>t</c> of a sequence is slot <c>t % blockSize</c> of its
/// <c>t / blockSize</c>-th block.
/// </summary>
public sealed class KvCacheStorage
{
    public KvCacheStorage(ModelConfig config, int capacityBlocks, int blockSize)
    {
        BlockSize = blockSize;
        KvDim = config.KvDim;
        var length = (long)capacityBlocks * blockSize * config.KvDim;
        Keys = new float[config.Layers][];
        Values = new float[config.Layers][];
        for (var l = 0; l < config.Layers; l++)
        {
            Keys[l] = new float[length];
            Values[l] = new float[length];
        }
        Bytes = 2L * config.Layers * length * sizeof(float);
    }

    public int BlockSize { get; }

    public int KvDim { get; }

    public float[][] Keys { get; }

    public float[][] Values { get; }

    public long Bytes { get; }

    /// <summary>The offset of position <paramref name="position"/> in a layer's arrays, given the sequence's block table.</summary>
    public long Offset(int[] blockTable, int position) =>
        ((long)blockTable[position / BlockSize] * BlockSize + position % BlockSize) * KvDim;
}
