namespace Mesh.Engine.Compute;

/// <summary>
/// The inputs of one layer's attention over a batch of rows. Row <c>r</c> is the token at position
/// <c>Positions[r]</c> of a sequence whose KV blocks are <c>BlockTables[r]</c>; it attends to positions
/// <c>0..Positions[r]</c> of that sequence. Keys and values are paged: position <c>t</c> lives in block
/// <c>BlockTables[r][t / BlockSize]</c> at slot <c>t % BlockSize</c> of the layer's cache arrays.
/// </summary>
public readonly ref struct AttentionBatch
{
    public required ReadOnlySpan<float> Queries { get; init; }
    public required int QueryStride { get; init; }
    public required int Rows { get; init; }
    /// <summary>At least <see cref="Rows"/> entries; a buffer the caller reuses across steps.</summary>
    public required int[] Positions { get; init; }
    public required IReadOnlyList<int[]> BlockTables { get; init; }
    public required float[] KeyCache { get; init; }
    public required float[] ValueCache { get; init; }
    public required int BlockSize { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadSize { get; init; }
    public required Span<float> Output { get; init; }
}
