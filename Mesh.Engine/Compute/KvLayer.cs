namespace Mesh.Engine.Compute;

/// <summary>
/// One layer's paged cache, laid out <c>[block, slot, kvDim]</c>: position <c>t</c> of a sequence is slot
/// <c>t % BlockSize</c> of its <c>t / BlockSize</c>-th block.
/// </summary>
public sealed record KvLayer(IComputeBuffer Keys, IComputeBuffer Values, int BlockSize, int KvDim)
{
    /// <summary>Where position <paramref name="position"/> of the sequence with <paramref name="blockTable"/> starts in a layer's buffers.</summary>
    public static long Offset(int[] blockTable, int position, int blockSize, int kvDim) =>
        ((long)blockTable[position / blockSize] * blockSize + position % blockSize) * kvDim;
}
