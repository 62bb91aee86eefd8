using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mesh.Engine.Compute.Cpu;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute;

/// <summary>
/// The CPU backend: buffers are host arrays, and the kernels run with 512-bit vectors where the CPU runs
/// <see cref="Vector512"/> in hardware and 256-bit ones elsewhere (FMA where the CPU has it). The matrix multiply is
/// <see cref="PackedGemm"/>, attention <see cref="PagedAttention"/>, the element-wise kernels <see cref="SimdKernels"/>.
/// Reductions run from index 0 in an order fixed by neither memory alignment nor batch shape nor vector width,
/// so results are bit-identical for a row alone or batched, and on either width of the same machine.
/// </summary>
public sealed unsafe class CpuComputeBackend : IComputeBackend
{
    private readonly ParallelOptions _parallel;
    private readonly int _threads;
    private readonly bool _wide;
    private readonly PackedGemm _gemm;

    /// <param name="threads">Worker threads; 0 for one per processor.</param>
    /// <param name="allowWide">False keeps the 256-bit kernels even where 512-bit ones would run (to compare the two).</param>
    public CpuComputeBackend(int threads = 0, bool allowWide = true)
    {
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        _wide = allowWide && WideSupported;
        _gemm = new PackedGemm(_wide, _threads, _parallel);
    }

    /// <summary>
    /// Whether this process runs 512-bit vectors in hardware. <c>DOTNET_EnableAVX512=0</c> turns it off on .NET 10
    /// (earlier runtimes read <c>DOTNET_EnableAVX512F</c>, which .NET 10 ignores).
    /// </summary>
    public static bool WideSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    public string Name => $"cpu-simd{VectorBits}x{_threads}";

    public int VectorBits => _wide ? 512 : 256;

    public int Threads => _threads;

    public IComputeBuffer Upload(float[] values) => new CpuBuffer(values);

    public IComputeBuffer Allocate(long length) => new CpuBuffer(new float[length]);

    public void Download(IComputeBuffer source, Span<float> destination) => CpuBuffer.Of(source).Span(destination.Length).CopyTo(destination);

    public IStepInputs BeginStep(ForwardBatch batch) => new CpuStepInputs(batch);

    public void Embed(IStepInputs step, IComputeBuffer table, int dim, IComputeBuffer x)
    {
        var batch = step.Batch;
        var embeddings = CpuBuffer.Of(table).Data.AsSpan();
        var rows = CpuBuffer.Of(x).Span(batch.Rows * dim);
        for (var r = 0; r < batch.Rows; r++)
        {
            embeddings.Slice(batch.Tokens[r] * dim, dim).CopyTo(rows.Slice(r * dim, dim));
        }
    }

    public void MatMul(IComputeBuffer x, int rows, IWeightMatrix w, IComputeBuffer y) =>
        MatMul(CpuBuffer.Of(x).Span(rows * w.Inputs), rows, w, CpuBuffer.Of(y).Span(rows * w.Outputs));

    public void RmsNorm(IComputeBuffer x, IComputeBuffer weight, IComputeBuffer y, int rows, int dim, float epsilon) =>
        RmsNorm(CpuBuffer.Of(x).Span(rows * dim), CpuBuffer.Of(weight).Span(dim), CpuBuffer.Of(y).Span(rows * dim), rows, dim, epsilon);

    public void ApplyRotary(IStepInputs step, IComputeBuffer values, int rowStride, int offset, int heads, int headSize, IComputeBuffer cos, IComputeBuffer sin)
    {
        var rows = step.Batch.Rows;
        fixed (float* pv = CpuBuffer.Of(values).Data, pc = CpuBuffer.Of(cos).Data, ps = CpuBuffer.Of(sin).Data)
        {
            Rotate(pv, rows, rowStride, offset, heads, headSize, step.Batch.Positions, pc, ps);
        }
    }

    public void StoreKeysAndValues(IStepInputs step, IComputeBuffer qkv, int rowStride, int keyOffset, int valueOffset, KvLayer layer)
    {
        var batch = step.Batch;
        var kvDim = layer.KvDim;
        var source = CpuBuffer.Of(qkv).Span(batch.Rows * rowStride);
        var keys = CpuBuffer.Of(layer.Keys).Data.AsSpan();
        var values = CpuBuffer.Of(layer.Values).Data.AsSpan();
        for (var r = 0; r < batch.Rows; r++)
        {
            if (!batch.WriteKv[r])
            {
                continue;
            }
            var slot = (int)KvLayer.Offset(batch.BlockTables[r], batch.Positions[r], layer.BlockSize, kvDim);
            var row = source.Slice(r * rowStride, rowStride);
            row.Slice(keyOffset, kvDim).CopyTo(keys.Slice(slot, kvDim));
            row.Slice(valueOffset, kvDim).CopyTo(values.Slice(slot, kvDim));
        }
    }

    public void SwiGlu(IComputeBuffer gateUp, int rows, int hidden, IComputeBuffer y) =>
        SwiGlu(CpuBuffer.Of(gateUp).Span(rows * 2 * hidden), rows, hidden, CpuBuffer.Of(y).Span(rows * hidden));

    public void Add(IComputeBuffer x, IComputeBuffer delta, int length) => Add(CpuBuffer.Of(x).Span(length), CpuBuffer.Of(delta).Span(length));

    public void GatherSampledRows(IStepInputs step, int first, int count, IComputeBuffer x, int dim, IComputeBuffer y)
    {
        var source = CpuBuffer.Of(x).Data.AsSpan();
        var target = CpuBuffer.Of(y).Span(count * dim);
        for (var i = 0; i < count; i++)
        {
            source.Slice(step.Batch.SampleRows[first + i] * dim, dim).CopyTo(target.Slice(i * dim, dim));
        }
    }

    public void Dispose()
    {
    }

    public IWeightMatrix Prepare(float[] rowMajor, int outputs, int inputs)
    {
        if (rowMajor.LongLength < (long)outputs * inputs)
        {
            throw new ArgumentException($"A [{outputs}, {inputs}] matrix needs {(long)outputs * inputs} values; got {rowMajor.LongLength}.", nameof(rowMajor));
        }
        return new PackedMatrix(rowMajor, outputs, inputs);
    }

    public void MatMul(ReadOnlySpan<float> x, int rows, IWeightMatrix w, Span<float> y)
    {
        var k = w.Inputs;
        var n = w.Outputs;
        if (x.Length < rows * k || y.Length < rows * n)
        {
            throw new ArgumentException("MatMul operands are smaller than their shapes.");
        }
        var packed = w as PackedMatrix ?? throw new ArgumentException($"{w.GetType().Name} is not a CPU weight matrix.", nameof(w));
        _gemm.Multiply(x, rows, packed, y);
    }

    public void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, int rows, int dim, float epsilon)
    {
        fixed (float* px = x, pw = weight, py = y)
        {
            for (var r = 0; r < rows; r++)
            {
                SimdKernels.RmsNormRow(px + (long)r * dim, pw, py + (long)r * dim, dim, epsilon, _wide);
            }
        }
    }

    public void ApplyRotary(Span<float> values, int rows, int rowStride, int offset, int heads, int headSize, ReadOnlySpan<int> positions, RotaryTable table)
    {
        if (table.HeadSize != headSize)
        {
            throw new ArgumentException($"The rotary table is for heads of {table.HeadSize}, not {headSize}.", nameof(table));
        }
        fixed (float* pv = values, pc = table.Cos, ps = table.Sin)
        {
            Rotate(pv, rows, rowStride, offset, heads, headSize, positions, pc, ps);
        }
    }

    private void Rotate(float* values, int rows, int rowStride, int offset, int heads, int headSize, ReadOnlySpan<int> positions, float* cosTable, float* sinTable)
    {
        for (var r = 0; r < rows; r++)
        {
            var cos = cosTable + (long)positions[r] * headSize;
            var sin = sinTable + (long)positions[r] * headSize;
            var row = values + (long)r * rowStride + offset;
            for (var h = 0; h < heads; h++)
            {
                SimdKernels.RotatePairs(row + h * headSize, cos, sin, headSize, _wide);
            }
        }
    }

    public void SwiGlu(ReadOnlySpan<float> gateUp, int rows, int hidden, Span<float> y)
    {
        fixed (float* pg = gateUp, py = y)
        {
            for (var r = 0; r < rows; r++)
            {
                var gate = pg + (long)r * 2 * hidden;
                SimdKernels.SwiGluRow(gate, gate + hidden, py + (long)r * hidden, hidden, _wide);
            }
        }
    }

    public void Add(Span<float> x, ReadOnlySpan<float> delta)
    {
        if (delta.Length < x.Length)
        {
            throw new ArgumentException("The delta is shorter than the values it is added to.", nameof(delta));
        }
        fixed (float* px = x, pd = delta)
        {
            SimdKernels.Add(px, pd, x.Length, _wide);
        }
    }

    public void Attention(in AttentionBatch batch) => PagedAttention.Run(batch, _wide, _parallel);
}
