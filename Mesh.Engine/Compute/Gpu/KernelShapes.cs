namespace Mesh.Engine.Compute.Gpu;

/// <summary>The sizes a matrix-multiply kernel reads.</summary>
internal readonly record struct MatMulShape(int Rows, int Inputs, int Outputs);

/// <summary>Where the heads to rotate sit in each row.</summary>
internal readonly record struct RotaryShape(int RowStride, int Offset, int HeadSize);

/// <summary>Where a row's new key and value sit, and the layout of the paged cache and of the step's block tables.</summary>
internal readonly record struct KvShape(int RowStride, int KeyOffset, int ValueOffset, int TableStride, int BlockSize, int KvDim);

/// <summary>The layout of one attention call: heads, the paged cache, the block tables and the score scratch.</summary>
internal readonly record struct AttentionShape(
    int Heads, int HeadSize, int Group, int QueryStride, int TableStride, int BlockSize, int KvDim, long ScoreStride, float Scale);
