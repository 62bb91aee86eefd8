namespace Mesh.Engine.Compute;

/// <summary>
/// The inputs of one layer's attention over a batch of rows. Row <c>r</c> is the token at position
/// <c>Positions[r]</c> of a sequence whose KV blocks are <c>BlockTables[r]</c> (both in <see cref="Step"/>); it
/// attends to positions <c>0..Positions[r]</c> of that sequence in <see cref="Cache"/>.
/// </summary>
public readonly record struct AttentionBatch
{
    public required IStepInputs Step { get; init; }
    public required IComputeBuffer Queries { get; init; }
    public required int QueryStride { get; init; }
    public required KvLayer Cache { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadSize { get; init; }
    public required IComputeBuffer Output { get; init; }
}
