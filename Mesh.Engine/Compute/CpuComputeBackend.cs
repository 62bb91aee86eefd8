using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mesh.Engine.Compute.Cpu;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute;

/// <summary>
/// The CPU backend: multi-threaded matrix multiplication over packed weight panels, with 512-bit kernels where
/// the CPU runs <see cref="Vector512"/> in hardware and 256-bit ones elsewhere (FMA where the CPU has it).
/// Reductions run from index 0 in an order fixed by neither memory alignment nor batch shape nor vector width,
/// so results are bit-identical for a row alone or batched, and on either width of the same machine.
/// </summary>
public sealed unsafe class CpuComputeBackend : IComputeBackend
{
    private static readonly ParallelOptions SingleThread = new() { MaxDegreeOfParallelism = 1 };

    private readonly ParallelOptions _parallel;
    private readonly int _threads;
    private readonly bool _wide;

    /// <param name="threads">Worker threads; 0 for one per processor.</param>
    /// <param name="allowWide">False keeps the 256-bit kernels even where 512-bit ones would run (to compare the two).</param>
    public CpuComputeBackend(int threads = 0, bool allowWide = true)
    {
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        _wide = allowWide && WideSupported;
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

    public void Download(IComputeBuffer source, Span<float> destination) => Cpu(source).Span(destination.Length).CopyTo(destination);

    public IStepInputs BeginStep(ForwardBatch batch) => new CpuStepInputs(batch);

    public void Embed(IStepInputs step, IComputeBuffer table, int dim, IComputeBuffer x)
    {
        var batch = step.Batch;
        var embeddings = Cpu(table).Data.AsSpan();
        var rows = Cpu(x).Span(batch.Rows * dim);
        for (var r = 0; r < batch.Rows; r++)
        {
            embeddings.Slice(batch.Tokens[r] * dim, dim).CopyTo(rows.Slice(r * dim, dim));
        }
    }

    public void MatMul(IComputeBuffer x, int rows, IWeightMatrix w, IComputeBuffer y) =>
        MatMul(Cpu(x).Span(rows * w.Inputs), rows, w, Cpu(y).Span(rows * w.Outputs));

    public void RmsNorm(IComputeBuffer x, IComputeBuffer weight, IComputeBuffer y, int rows, int dim, float epsilon) =>
        RmsNorm(Cpu(x).Span(rows * dim), Cpu(weight).Span(dim), Cpu(y).Span(rows * dim), rows, dim, epsilon);

    public void ApplyRotary(IStepInputs step, IComputeBuffer values, int rowStride, int offset, int heads, int headSize, IComputeBuffer cos, IComputeBuffer sin)
    {
        var rows = step.Batch.Rows;
        fixed (float* pv = Cpu(values).Data, pc = Cpu(cos).Data, ps = Cpu(sin).Data)
        {
            Rotate(pv, rows, rowStride, offset, heads, headSize, step.Batch.Positions, pc, ps);
        }
    }

    public void StoreKeysAndValues(IStepInputs step, IComputeBuffer qkv, int rowStride, int keyOffset, int valueOffset, KvLayer layer)
    {
        var batch = step.Batch;
        var kvDim = layer.KvDim;
        var source = Cpu(qkv).Span(batch.Rows * rowStride);
        var keys = Cpu(layer.Keys).Data.AsSpan();
        var values = Cpu(layer.Values).Data.AsSpan();
        for (var r = 0; r < batch.Rows; r++)
        {
            if (!batch.WriteKv[r])
            {
                continue;
            }
            var position = batch.Positions[r];
            var slot = (int)(((long)batch.BlockTables[r][position / layer.BlockSize] * layer.BlockSize + position % layer.BlockSize) * kvDim);
            var row = source.Slice(r * rowStride, rowStride);
            row.Slice(keyOffset, kvDim).CopyTo(keys.Slice(slot, kvDim));
            row.Slice(valueOffset, kvDim).CopyTo(values.Slice(slot, kvDim));
        }
    }

    public void SwiGlu(IComputeBuffer gateUp, int rows, int hidden, IComputeBuffer y) =>
        SwiGlu(Cpu(gateUp).Span(rows * 2 * hidden), rows, hidden, Cpu(y).Span(rows * hidden));

    public void Add(IComputeBuffer x, IComputeBuffer delta, int length) => Add(Cpu(x).Span(length), Cpu(delta).Span(length));

    public void GatherSampledRows(IStepInputs step, int first, int count, IComputeBuffer x, int dim, IComputeBuffer y)
    {
        var source = Cpu(x).Data.AsSpan();
        var target = Cpu(y).Span(count * dim);
        for (var i = 0; i < count; i++)
        {
            source.Slice(step.Batch.SampleRows[first + i] * dim, dim).CopyTo(target.Slice(i * dim, dim));
        }
    }

    public void Dispose()
    {
    }

    private static CpuBuffer Cpu(IComputeBuffer buffer) =>
        buffer as CpuBuffer ?? throw new ArgumentException($"{buffer.GetType().Name} is not a CPU buffer.", nameof(buffer));

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
        MatMulPacked(x, rows, packed, y);
    }

    private void MatMulPacked(ReadOnlySpan<float> x, int rows, PackedMatrix w, Span<float> y)
    {
        fixed (float* px = x, pw = w.Data, py = y)
        {
            var xp = (nint)px;
            var wp = (nint)pw;
            var yp = (nint)py;
            var panels = w.Panels;
            // Work is split in whole tiles of panels (a thread's range never cuts a four-panel tile in two) and,
            // for long prompts, in whole tiles of rows too, so the threads finish together.
            var group = _wide ? PackedTiles512.TilePanels : 1;
            var groups = (panels + group - 1) / group;
            var work = (long)rows * w.Outputs * w.Inputs;
            var columnChunks = work < 1 << 16 ? 1 : Math.Min(groups, _threads * 4);
            var rowChunks = work < 1 << 16 ? 1 : Math.Clamp(rows / RowsPerChunk, 1, _threads * 2);
            if (columnChunks * rowChunks == 1)
            {
                PackedRange((float*)xp, w, (float*)wp, (float*)yp, 0, rows, 0, panels);
                return;
            }
            var tiles = (rows + 5) / 6;
            Parallel.For(0, columnChunks * rowChunks, _parallel, c =>
            {
                var (columnChunk, rowChunk) = Math.DivRem(c, rowChunks);
                var firstRow = Math.Min(rows, (int)((long)tiles * rowChunk / rowChunks) * 6);
                var lastRow = Math.Min(rows, (int)((long)tiles * (rowChunk + 1) / rowChunks) * 6);
                var first = (int)((long)groups * columnChunk / columnChunks) * group;
                var last = Math.Min(panels, (int)((long)groups * (columnChunk + 1) / columnChunks) * group);
                PackedRange((float*)xp, w, (float*)wp, (float*)yp, firstRow, lastRow, first, last);
            });
        }
    }

    /// <summary>Rows below which splitting a product by rows costs more in re-read panels than it gains in balance.</summary>
    private const int RowsPerChunk = 192;

    /// <summary>
    /// Rows <c>[firstRow, lastRow)</c> against panels <c>[first, last)</c>. Rows go in blocks that stay in L2 while
    /// the panels pass over them; within a block, six rows at a time against the widest tile of panels the vector
    /// width allows.
    /// </summary>
    private void PackedRange(float* x, PackedMatrix w, float* data, float* y, int firstRow, int lastRow, int first, int last)
    {
        var k = w.Inputs;
        var n = w.Outputs;
        var panelFloats = (long)k * PackedMatrix.PanelWidth;
        var rowBlock = Math.Max(6, 6 * (128 * 1024 / (k * sizeof(float) * 6)));
        for (var r0 = firstRow; r0 < lastRow; r0 += rowBlock)
        {
            var r1 = Math.Min(lastRow, r0 + rowBlock);
            var panel = first;
            if (_wide)
            {
                for (; panel + PackedTiles512.TilePanels <= last; panel += PackedTiles512.TilePanels)
                {
                    var panelData = data + panel * panelFloats;
                    var column = panel * PackedMatrix.PanelWidth;
                    var lastWidth = Math.Min(PackedMatrix.PanelWidth, n - column - 3 * PackedMatrix.PanelWidth);
                    var r = r0;
                    for (; r + PackedTiles512.TileRows <= r1; r += PackedTiles512.TileRows)
                    {
                        PackedTiles512.Tile6x4(x + (long)r * k, k, panelData, y + (long)r * n + column, n, lastWidth);
                    }
                    for (; r + 2 <= r1; r += 2)
                    {
                        PackedTiles512.Tile2x4(x + (long)r * k, k, panelData, y + (long)r * n + column, n, lastWidth);
                    }
                    for (; r < r1; r++)
                    {
                        PackedTiles512.Tile1x4(x + (long)r * k, k, panelData, y + (long)r * n + column, lastWidth);
                    }
                }
                if (panel + 2 <= last)
                {
                    var panelData = data + panel * panelFloats;
                    var column = panel * PackedMatrix.PanelWidth;
                    var lastWidth = Math.Min(PackedMatrix.PanelWidth, n - column - PackedMatrix.PanelWidth);
                    var r = r0;
                    for (; r + PackedTiles512.TileRows <= r1; r += PackedTiles512.TileRows)
                    {
                        PackedTiles512.Tile6x2(x + (long)r * k, k, panelData, y + (long)r * n + column, n, lastWidth);
                    }
                    for (; r < r1; r++)
                    {
                        PackedTiles512.Tile1x1(x + (long)r * k, k, panelData, y + (long)r * n + column, PackedMatrix.PanelWidth);
                        PackedTiles512.Tile1x1(x + (long)r * k, k, panelData + panelFloats, y + (long)r * n + column + PackedMatrix.PanelWidth, lastWidth);
                    }
                    panel += 2;
                }
            }
            for (; panel < last; panel++)
            {
                var panelData = data + panel * panelFloats;
                var column = panel * PackedMatrix.PanelWidth;
                var width = Math.Min(PackedMatrix.PanelWidth, n - column);
                var r = r0;
                for (; r + 6 <= r1; r += 6)
                {
                    if (_wide)
                    {
                        PackedTiles512.Tile6x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                    }
                    else
                    {
                        PackedTiles256.Tile6x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                    }
                }
                for (; !_wide && r + 2 <= r1; r += 2)
                {
                    PackedTiles256.Tile2x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                }
                for (; r < r1; r++)
                {
                    if (_wide)
                    {
                        PackedTiles512.Tile1x1(x + (long)r * k, k, panelData, y + (long)r * n + column, width);
                    }
                    else
                    {
                        PackedTiles256.Tile1x1(x + (long)r * k, k, panelData, y + (long)r * n + column, width);
                    }
                }
            }
        }
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

    public void Attention(in AttentionBatch batch)
    {
        var rows = batch.Step.Batch.Rows;
        var heads = batch.Heads;
        var headSize = batch.HeadSize;
        var kvDim = batch.KvHeads * headSize;
        var group = heads / batch.KvHeads;
        var blockSize = batch.Cache.BlockSize;
        var queryStride = batch.QueryStride;
        var scale = 1f / MathF.Sqrt(headSize);
        var tables = batch.Step.Batch.BlockTables;
        var positions = batch.Step.Batch.Positions;
        var wide = _wide;
        var maxPosition = 0;
        for (var r = 0; r < rows; r++)
        {
            maxPosition = Math.Max(maxPosition, positions[r]);
        }
        fixed (float* pq = Cpu(batch.Queries).Data, pk = Cpu(batch.Cache.Keys).Data, pv = Cpu(batch.Cache.Values).Data, po = Cpu(batch.Output).Data)
        {
            var qp = (nint)pq;
            var kp = (nint)pk;
            var vp = (nint)pv;
            var op = (nint)po;
            var work = (long)rows * heads * (maxPosition + 1) * headSize;
            var options = work < 1 << 15 ? SingleThread : _parallel;
            Parallel.For(0, rows * heads, options,
                () => ArrayPool<float>.Shared.Rent(maxPosition + 1),
                (index, _, scores) =>
                {
                    var r = index / heads;
                    var h = index % heads;
                    var kvOffset = h / group * headSize;
                    AttendOne(
                        (float*)qp + (long)r * queryStride + h * headSize,
                        positions[r], tables[r], (float*)kp, (float*)vp, kvOffset, kvDim, blockSize, headSize, scale,
                        (float*)op + (long)r * heads * headSize + h * headSize, scores, wide);
                    return scores;
                },
                scores => ArrayPool<float>.Shared.Return(scores));
        }
    }

    private static void AttendOne(
        float* query, int position, int[] blockTable, float* keys, float* values, int kvOffset, int kvDim,
        int blockSize, int headSize, float scale, float* output, float[] scores, bool wide)
    {
        var count = position + 1;
        var max = float.NegativeInfinity;
        for (var t = 0; t < count; t++)
        {
            var slot = (long)(blockTable[t / blockSize] * blockSize + t % blockSize) * kvDim + kvOffset;
            var score = SimdKernels.Dot(query, keys + slot, headSize, wide) * scale;
            scores[t] = score;
            max = MathF.Max(max, score);
        }
        var sum = 0f;
        for (var t = 0; t < count; t++)
        {
            var e = MathF.Exp(scores[t] - max);
            scores[t] = e;
            sum += e;
        }
        var inverse = 1f / sum;
        new Span<float>(output, headSize).Clear();
        for (var t = 0; t < count; t++)
        {
            var slot = (long)(blockTable[t / blockSize] * blockSize + t % blockSize) * kvDim + kvOffset;
            SimdKernels.Axpy(scores[t] * inverse, values + slot, output, headSize, wide);
        }
    }
}
