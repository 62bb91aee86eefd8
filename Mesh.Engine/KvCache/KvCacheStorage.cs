using Mesh.Engine.Compute;
using Mesh.Engine.Model;

namespace Mesh.Engine.KvCache;

/// <summary>The key and value tensors of the paged cache, one pair of buffers per layer, in the compute backend's memory.</summary>
public sealed class KvCacheStorage : IDisposable
{
    public KvCacheStorage(IComputeBackend compute, ModelConfig config, int capacityBlocks, int blockSize)
    {
        BlockSize = blockSize;
        var length = (long)capacityBlocks * blockSize * config.KvDim;
        Layers = [.. Enumerable.Range(0, config.Layers).Select(_ =>
            new KvLayer(compute.Allocate(length), compute.Allocate(length), blockSize, config.KvDim))];
        Bytes = 2L * config.Layers * length * sizeof(float);
    }

    public int BlockSize { get; }

    public KvLayer[] Layers { get; }

    public long Bytes { get; }

    public void Dispose()
    {
        foreach (var layer in Layers)
        {
            layer.Keys.Dispose();
            layer.Values.Dispose();
        }
    }
}
