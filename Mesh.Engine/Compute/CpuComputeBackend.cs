using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mesh.Engine.Compute;

/// <summary>
/// The CPU backend: 256-bit SIMD (FMA where the CPU has it) and multi-threaded matrix multiplication over
/// packed weight panels.
/// Reductions run from index 0 with one vector accumulator per output and a scalar tail, never in an order
/// that depends on memory alignment or batch shape, so results are bit-identical for a row alone or batched.
/// </summary>
public sealed unsafe class CpuComputeBackend : IComputeBackend
{
    private const int Lanes = 8;

    private static readonly ParallelOptions SingleThread = new() { MaxDegreeOfParallelism = 1 };

    private readonly ParallelOptions _parallel;
    private readonly int _threads;

    public CpuComputeBackend(int threads = 0)
    {
        _threads = threads > 0 ? threads : Environment.ProcessorCount;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = _threads };
    }

    public string Name => $"cpu-simd{Vector256<float>.Count * 32}x{_threads}";

    public int Threads => _threads;

    public IWeightMatrix Prepare(float[] rowMajor, int outputs, int inputs, bool shareRowMajor = false)
    {
        if (rowMajor.LongLength < (long)outputs * inputs)
        {
            throw new ArgumentException($"A [{outputs}, {inputs}] matrix needs {(long)outputs * inputs} values; got {rowMajor.LongLength}.", nameof(rowMajor));
        }
        return shareRowMajor ? new RowMajorMatrix(rowMajor, outputs, inputs) : new PackedMatrix(rowMajor, outputs, inputs);
    }

    public void MatMul(ReadOnlySpan<float> x, int rows, IWeightMatrix w, Span<float> y)
    {
        var k = w.Inputs;
        var n = w.Outputs;
        if (x.Length < rows * k || y.Length < rows * n)
        {
            throw new ArgumentException("MatMul operands are smaller than their shapes.");
        }
        switch (w)
        {
            case PackedMatrix packed:
                MatMulPacked(x, rows, packed, y);
                break;
            case RowMajorMatrix plain:
                MatMulRowMajor(x, rows, k, plain.Data, n, y);
                break;
            default:
                throw new ArgumentException($"{w.GetType().Name} is not a CPU weight matrix.", nameof(w));
        }
    }

    private void MatMulPacked(ReadOnlySpan<float> x, int rows, PackedMatrix w, Span<float> y)
    {
        fixed (float* px = x, pw = w.Data, py = y)
        {
            var xp = (nint)px;
            var wp = (nint)pw;
            var yp = (nint)py;
            var panels = w.Panels;
            var work = (long)rows * w.Outputs * w.Inputs;
            var chunks = work < 1 << 16 ? 1 : Math.Min(panels, _threads * 4);
            if (chunks == 1)
            {
                PackedRange((float*)xp, rows, w, (float*)wp, (float*)yp, 0, panels);
                return;
            }
            Parallel.For(0, chunks, _parallel, c =>
                PackedRange((float*)xp, rows, w, (float*)wp, (float*)yp, (int)((long)panels * c / chunks), (int)((long)panels * (c + 1) / chunks)));
        }
    }

    /// <summary>
    /// Panels <c>[first, last)</c> for every row. Rows go in blocks that stay in L2 while the panels pass over
    /// them; within a block, six rows at a time against one panel that stays in L1.
    /// </summary>
    private static void PackedRange(float* x, int rows, PackedMatrix w, float* data, float* y, int first, int last)
    {
        var k = w.Inputs;
        var n = w.Outputs;
        var rowBlock = Math.Max(6, 6 * (128 * 1024 / (k * sizeof(float) * 6)));
        for (var r0 = 0; r0 < rows; r0 += rowBlock)
        {
            var r1 = Math.Min(rows, r0 + rowBlock);
            for (var panel = first; panel < last; panel++)
            {
                var panelData = data + (long)panel * k * PackedMatrix.PanelWidth;
                var column = panel * PackedMatrix.PanelWidth;
                var width = Math.Min(PackedMatrix.PanelWidth, n - column);
                var r = r0;
                for (; r + 6 <= r1; r += 6)
                {
                    Panel6(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                }
                for (; r < r1; r++)
                {
                    Panel1(x + (long)r * k, panelData, k, y + (long)r * n + column, width);
                }
            }
        }
    }

    /// <summary>
    /// Six rows by one 16-column panel: twelve accumulators, each output summed over the inputs in order with
    /// one fused multiply-add per input, exactly as <see cref="Panel1"/> sums it.
    /// </summary>
    private static void Panel6(float* x, int k, float* panel, float* y, int n, int width)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        var x1 = x + k;
        var x2 = x + 2 * k;
        var x3 = x + 3 * k;
        var x4 = x + 4 * k;
        var x5 = x + 5 * k;
        for (var p = 0; p < k; p++)
        {
            var w0 = Vector256.Load(panel + p * PackedMatrix.PanelWidth);
            var w1 = Vector256.Load(panel + p * PackedMatrix.PanelWidth + Lanes);
            var a = Vector256.Create(x[p]);
            c00 = Fma(a, w0, c00);
            c01 = Fma(a, w1, c01);
            a = Vector256.Create(x1[p]);
            c10 = Fma(a, w0, c10);
            c11 = Fma(a, w1, c11);
            a = Vector256.Create(x2[p]);
            c20 = Fma(a, w0, c20);
            c21 = Fma(a, w1, c21);
            a = Vector256.Create(x3[p]);
            c30 = Fma(a, w0, c30);
            c31 = Fma(a, w1, c31);
            a = Vector256.Create(x4[p]);
            c40 = Fma(a, w0, c40);
            c41 = Fma(a, w1, c41);
            a = Vector256.Create(x5[p]);
            c50 = Fma(a, w0, c50);
            c51 = Fma(a, w1, c51);
        }
        StorePanelRow(c00, c01, y, width);
        StorePanelRow(c10, c11, y + n, width);
        StorePanelRow(c20, c21, y + 2 * n, width);
        StorePanelRow(c30, c31, y + 3 * n, width);
        StorePanelRow(c40, c41, y + 4 * n, width);
        StorePanelRow(c50, c51, y + 5 * n, width);
    }

    private static void Panel1(float* x, float* panel, int k, float* y, int width)
    {
        Vector256<float> c0 = default, c1 = default;
        for (var p = 0; p < k; p++)
        {
            var a = Vector256.Create(x[p]);
            c0 = Fma(a, Vector256.Load(panel + p * PackedMatrix.PanelWidth), c0);
            c1 = Fma(a, Vector256.Load(panel + p * PackedMatrix.PanelWidth + Lanes), c1);
        }
        StorePanelRow(c0, c1, y, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePanelRow(Vector256<float> low, Vector256<float> high, float* y, int width)
    {
        if (width == PackedMatrix.PanelWidth)
        {
            Vector256.Store(low, y);
            Vector256.Store(high, y + Lanes);
            return;
        }
        // The last, zero-padded panel: store only the real columns (no call here, so the kernel keeps its accumulators in registers).
        for (var i = 0; i < width; i++)
        {
            y[i] = i < Lanes ? low.GetElement(i) : high.GetElement(i - Lanes);
        }
    }

    /// <summary>The row-major path: dot products of rows, for a classifier read once per token.</summary>
    private void MatMulRowMajor(ReadOnlySpan<float> x, int rows, int k, ReadOnlySpan<float> w, int n, Span<float> y)
    {
        fixed (float* px = x, pw = w, py = y)
        {
            var xp = (nint)px;
            var wp = (nint)pw;
            var yp = (nint)py;
            var tiles = (n + 3) / 4;
            var work = (long)rows * n * k;
            var chunks = work < 1 << 16 ? 1 : Math.Min(tiles, _threads * 8);
            if (chunks == 1)
            {
                MatMulRange((float*)xp, rows, k, (float*)wp, n, (float*)yp, 0, n);
                return;
            }
            Parallel.For(0, chunks, _parallel, c =>
            {
                var start = (int)((long)tiles * c / chunks) * 4;
                var end = Math.Min(n, (int)((long)tiles * (c + 1) / chunks) * 4);
                MatMulRange((float*)xp, rows, k, (float*)wp, n, (float*)yp, start, end);
            });
        }
    }

    /// <summary>Output columns <c>[jStart, jEnd)</c> for every row, in L2-sized blocks of rows.</summary>
    private static void MatMulRange(float* x, int rows, int k, float* w, int n, float* y, int jStart, int jEnd)
    {
        var rowBlock = Math.Max(3, 3 * (64 * 1024 / (k * sizeof(float) * 3)));
        for (var i0 = 0; i0 < rows; i0 += rowBlock)
        {
            var i1 = Math.Min(rows, i0 + rowBlock);
            var j = jStart;
            for (; j + 4 <= jEnd; j += 4)
            {
                var w0 = w + (long)j * k;
                var i = i0;
                for (; i + 3 <= i1; i += 3)
                {
                    Kernel3x4(x + (long)i * k, k, w0, y + (long)i * n + j, n);
                }
                for (; i < i1; i++)
                {
                    Kernel1x4(x + (long)i * k, k, w0, y + (long)i * n + j);
                }
            }
            for (; j < jEnd; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    y[(long)i * n + j] = Dot(x + (long)i * k, w + (long)j * k, k);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>Three rows of x against four rows of w: twelve independent accumulators.</summary>
    private static void Kernel3x4(float* x, int k, float* w, float* y, int n)
    {
        var x0 = x;
        var x1 = x + k;
        var x2 = x + 2 * k;
        var w0 = w;
        var w1 = w + k;
        var w2 = w + 2 * k;
        var w3 = w + 3 * k;
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c23 = default;
        var p = 0;
        for (; p + Lanes <= k; p += Lanes)
        {
            var a0 = Vector256.Load(x0 + p);
            var a1 = Vector256.Load(x1 + p);
            var a2 = Vector256.Load(x2 + p);
            var b = Vector256.Load(w0 + p);
            c00 = Fma(a0, b, c00);
            c10 = Fma(a1, b, c10);
            c20 = Fma(a2, b, c20);
            b = Vector256.Load(w1 + p);
            c01 = Fma(a0, b, c01);
            c11 = Fma(a1, b, c11);
            c21 = Fma(a2, b, c21);
            b = Vector256.Load(w2 + p);
            c02 = Fma(a0, b, c02);
            c12 = Fma(a1, b, c12);
            c22 = Fma(a2, b, c22);
            b = Vector256.Load(w3 + p);
            c03 = Fma(a0, b, c03);
            c13 = Fma(a1, b, c13);
            c23 = Fma(a2, b, c23);
        }
        y[0] = Finish(c00, x0, w0, p, k);
        y[1] = Finish(c01, x0, w1, p, k);
        y[2] = Finish(c02, x0, w2, p, k);
        y[3] = Finish(c03, x0, w3, p, k);
        y[n] = Finish(c10, x1, w0, p, k);
        y[n + 1] = Finish(c11, x1, w1, p, k);
        y[n + 2] = Finish(c12, x1, w2, p, k);
        y[n + 3] = Finish(c13, x1, w3, p, k);
        y[2 * n] = Finish(c20, x2, w0, p, k);
        y[2 * n + 1] = Finish(c21, x2, w1, p, k);
        y[2 * n + 2] = Finish(c22, x2, w2, p, k);
        y[2 * n + 3] = Finish(c23, x2, w3, p, k);
    }

    private static void Kernel1x4(float* x, int k, float* w, float* y)
    {
        var w1 = w + k;
        var w2 = w + 2 * k;
        var w3 = w + 3 * k;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        var p = 0;
        for (; p + Lanes <= k; p += Lanes)
        {
            var a = Vector256.Load(x + p);
            c0 = Fma(a, Vector256.Load(w + p), c0);
            c1 = Fma(a, Vector256.Load(w1 + p), c1);
            c2 = Fma(a, Vector256.Load(w2 + p), c2);
            c3 = Fma(a, Vector256.Load(w3 + p), c3);
        }
        y[0] = Finish(c0, x, w, p, k);
        y[1] = Finish(c1, x, w1, p, k);
        y[2] = Finish(c2, x, w2, p, k);
        y[3] = Finish(c3, x, w3, p, k);
    }

    /// <summary>The dot product every kernel computes, in the same order: vector lanes, their sum, then the scalar tail.</summary>
    private static float Dot(float* a, float* b, int length)
    {
        Vector256<float> acc = default;
        var p = 0;
        for (; p + Lanes <= length; p += Lanes)
        {
            acc = Fma(Vector256.Load(a + p), Vector256.Load(b + p), acc);
        }
        return Finish(acc, a, b, p, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(Vector256<float> acc, float* a, float* b, int from, int length)
    {
        var sum = Vector256.Sum(acc);
        for (var p = from; p < length; p++)
        {
            sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        }
        return sum;
    }

    public void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, int rows, int dim, float epsilon)
    {
        fixed (float* px = x, pw = weight, py = y)
        {
            for (var r = 0; r < rows; r++)
            {
                var row = px + (long)r * dim;
                var mean = Dot(row, row, dim) / dim;
                var scale = 1f / MathF.Sqrt(mean + epsilon);
                var output = py + (long)r * dim;
                for (var i = 0; i < dim; i++)
                {
                    output[i] = pw[i] * (scale * row[i]);
                }
            }
        }
    }

    public void ApplyRotary(Span<float> values, int rows, int rowStride, int offset, int heads, int headSize, ReadOnlySpan<int> positions, RotaryTable table)
    {
        var half = table.HalfHeadSize;
        for (var r = 0; r < rows; r++)
        {
            var cos = table.Cos.AsSpan(positions[r] * half, half);
            var sin = table.Sin.AsSpan(positions[r] * half, half);
            var row = values.Slice(r * rowStride + offset, heads * headSize);
            for (var h = 0; h < heads; h++)
            {
                var head = row.Slice(h * headSize, headSize);
                for (var i = 0; i < half; i++)
                {
                    var a = head[2 * i];
                    var b = head[2 * i + 1];
                    head[2 * i] = a * cos[i] - b * sin[i];
                    head[2 * i + 1] = a * sin[i] + b * cos[i];
                }
            }
        }
    }

    public void SwiGlu(ReadOnlySpan<float> gateUp, int rows, int hidden, Span<float> y)
    {
        for (var r = 0; r < rows; r++)
        {
            var gate = gateUp.Slice(r * 2 * hidden, hidden);
            var up = gateUp.Slice(r * 2 * hidden + hidden, hidden);
            var output = y.Slice(r * hidden, hidden);
            // silu(g) = g * sigmoid(g); element-wise vector math gives each lane the same result wherever it sits.
            TensorPrimitives.Sigmoid(gate, output);
            TensorPrimitives.Multiply(output, gate, output);
            TensorPrimitives.Multiply(output, up, output);
        }
    }

    public void Add(Span<float> x, ReadOnlySpan<float> delta) => TensorPrimitives.Add(x, delta, x);

    public void Attention(in AttentionBatch batch)
    {
        var rows = batch.Rows;
        var heads = batch.Heads;
        var headSize = batch.HeadSize;
        var kvDim = batch.KvHeads * headSize;
        var group = heads / batch.KvHeads;
        var blockSize = batch.BlockSize;
        var queryStride = batch.QueryStride;
        var scale = 1f / MathF.Sqrt(headSize);
        var tables = batch.BlockTables;
        var positions = batch.Positions;
        var maxPosition = 0;
        for (var r = 0; r < rows; r++)
        {
            maxPosition = Math.Max(maxPosition, positions[r]);
        }
        fixed (float* pq = batch.Queries, pk = batch.KeyCache, pv = batch.ValueCache, po = batch.Output)
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
                        (float*)op + (long)r * heads * headSize + h * headSize, scores);
                    return scores;
                },
                scores => ArrayPool<float>.Shared.Return(scores));
        }
    }

    private static void AttendOne(
        float* query, int position, int[] blockTable, float* keys, float* values, int kvOffset, int kvDim,
        int blockSize, int headSize, float scale, float* output, float[] scores)
    {
        var count = position + 1;
        var max = float.NegativeInfinity;
        for (var t = 0; t < count; t++)
        {
            var slot = (long)(blockTable[t / blockSize] * blockSize + t % blockSize) * kvDim + kvOffset;
            var score = Dot(query, keys + slot, headSize) * scale;
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
            Axpy(scores[t] * inverse, values + slot, output, headSize);
        }
    }

    /// <summary><c>y += a·x</c>.</summary>
    private static void Axpy(float a, float* x, float* y, int length)
    {
        var va = Vector256.Create(a);
        var p = 0;
        for (; p + Lanes <= length; p += Lanes)
        {
            Vector256.Store(Fma(va, Vector256.Load(x + p), Vector256.Load(y + p)), y + p);
        }
        for (; p < length; p++)
        {
            y[p] = MathF.FusedMultiplyAdd(a, x[p], y[p]);
        }
    }
}
