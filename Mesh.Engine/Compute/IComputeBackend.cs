namespace Mesh.Engine.Compute;

/// <summary>
/// The kernels of a Llama forward pass. The transformer is written against this interface only, so another
/// backend (a GPU one) replaces the kernels without touching the model runner or the scheduler.
/// Every kernel computes each output element in a fixed order, whatever the batch around it: a row gives
/// bit-identical results alone or batched, which is what makes KV-cache reuse exact.
/// </summary>
public interface IComputeBackend
{
    string Name { get; }

    /// <summary>
    /// Takes a row-major weight <c>[outputs, inputs]</c> into the backend's layout. With <paramref name="shareRowMajor"/>
    /// the backend keeps using the given array (a classifier tied to the embedding, read once per token anyway).
    /// </summary>
    IWeightMatrix Prepare(float[] rowMajor, int outputs, int inputs, bool shareRowMajor = false);

    /// <summary><c>y[rows, outputs] = x[rows, inputs] · wᵀ</c>.</summary>
    void MatMul(ReadOnlySpan<float> x, int rows, IWeightMatrix w, Span<float> y);

    /// <summary>Row-wise RMS normalization of <c>x[rows, dim]</c> scaled by <paramref name="weight"/>.</summary>
    void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, int rows, int dim, float epsilon);

    /// <summary>Rotates pairs of each head of each row by the row's position (llama2.c's interleaved convention).</summary>
    void ApplyRotary(Span<float> values, int rows, int rowStride, int offset, int heads, int headSize, ReadOnlySpan<int> positions, RotaryTable table);

    /// <summary><c>y[r] = silu(gate[r]) ⊙ up[r]</c> where each row of <paramref name="gateUp"/> is <c>[gate | up]</c>.</summary>
    void SwiGlu(ReadOnlySpan<float> gateUp, int rows, int hidden, Span<float> y);

    /// <summary><c>x += delta</c>, element-wise.</summary>
    void Add(Span<float> x, ReadOnlySpan<float> delta);

    /// <summary>Causal attention of each row over its sequence's paged keys and values.</summary>
    void Attention(in AttentionBatch batch);
}
