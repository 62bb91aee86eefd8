namespace Mesh.Engine.Compute;

/// <summary>
/// The memory and kernels of a Llama forward pass. The transformer is written against this interface only: weights,
/// activations and the KV cache live in buffers the backend allocates, so a GPU backend keeps them in device memory
/// and the host copies in only each step's token ids and block tables, and copies out only the sampled rows' logits.
/// Every kernel computes each output element in a fixed order, whatever the batch around it: a row gives
/// bit-identical results alone or batched, which is what makes KV-cache reuse exact.
/// </summary>
public interface IComputeBackend : IDisposable
{
    string Name { get; }

    /// <summary>
    /// Copies a row-major weight <c>[outputs, inputs]</c> into the backend's layout. A classifier tied to the embedding
    /// gets its own copy too: packed, it multiplies a decode batch several times faster than row-major dot products.
    /// </summary>
    IWeightMatrix Prepare(float[] rowMajor, int outputs, int inputs);

    /// <summary>A constant (a norm's weights, the embedding table, rotary tables); the CPU backend uses the array itself.</summary>
    IComputeBuffer Upload(float[] values);

    /// <summary>A zeroed buffer for activations or the KV cache.</summary>
    IComputeBuffer Allocate(long length);

    /// <summary>Copies the first <c>destination.Length</c> values of <paramref name="source"/> to the host, once every kernel before has run.</summary>
    void Download(IComputeBuffer source, Span<float> destination);

    /// <summary>Makes the batch's tokens, positions, block tables and sampled rows readable by the step's kernels.</summary>
    IStepInputs BeginStep(Inference.ForwardBatch batch);

    /// <summary><c>x[r] = table[token[r]]</c>, rows of <paramref name="dim"/>.</summary>
    void Embed(IStepInputs step, IComputeBuffer table, int dim, IComputeBuffer x);

    /// <summary><c>y[rows, outputs] = x[rows, inputs] · wᵀ</c>.</summary>
    void MatMul(IComputeBuffer x, int rows, IWeightMatrix w, IComputeBuffer y);

    /// <summary>Row-wise RMS normalization of <c>x[rows, dim]</c> scaled by <paramref name="weight"/>.</summary>
    void RmsNorm(IComputeBuffer x, IComputeBuffer weight, IComputeBuffer y, int rows, int dim, float epsilon);

    /// <summary>
    /// Rotates pairs of each head of each row by the row's position (llama2.c's interleaved convention), with the
    /// tables of <see cref="RotaryTable"/> uploaded.
    /// </summary>
    void ApplyRotary(IStepInputs step, IComputeBuffer values, int rowStride, int offset, int heads, int headSize, IComputeBuffer cos, IComputeBuffer sin);

    /// <summary>Writes each row's new key and value (at <paramref name="keyOffset"/> and <paramref name="valueOffset"/> of its row) into its slot of the paged cache.</summary>
    void StoreKeysAndValues(IStepInputs step, IComputeBuffer qkv, int rowStride, int keyOffset, int valueOffset, KvLayer layer);

    /// <summary><c>y[r] = silu(gate[r]) ⊙ up[r]</c> where each row of <paramref name="gateUp"/> is <c>[gate | up]</c>.</summary>
    void SwiGlu(IComputeBuffer gateUp, int rows, int hidden, IComputeBuffer y);

    /// <summary><c>x += delta</c> over the first <paramref name="length"/> values.</summary>
    void Add(IComputeBuffer x, IComputeBuffer delta, int length);

    /// <summary>Causal attention of each row over its sequence's paged keys and values.</summary>
    void Attention(in AttentionBatch batch);

    /// <summary>Copies rows <c>SampleRows[first..first+count)</c> of <paramref name="x"/> into rows <c>0..count</c> of <paramref name="y"/>.</summary>
    void GatherSampledRows(IStepInputs step, int first, int count, IComputeBuffer x, int dim, IComputeBuffer y);
}
