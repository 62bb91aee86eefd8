using ILGPU;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>
/// The GPU backend's kernels. Each thread computes whole output elements, each sum from index 0 in order, so a
/// row's result does not depend on the batch around it (the CPU backend's rule, which keeps KV-cache reuse exact).
/// Only arithmetic that every ILGPU target compiles natively is used: <see cref="Exp"/> is written out here rather
/// than taken from a math library a driver-only CUDA host may lack.
/// </summary>
internal static class IlgpuKernels
{
    /// <summary>Rows of the output a matrix-multiply thread computes against one weight column, so each weight is read once per four rows.</summary>
    public const int RowsPerThread = 4;

    /// <summary>The tiled matrix multiply's tile: <see cref="Tile"/> rows by <see cref="Tile"/> outputs per group of 16 × 16 threads.</summary>
    public const int Tile = 64;

    /// <summary>Threads along each side of a tiled matrix-multiply group; each computes 4 × 4 outputs.</summary>
    public const int TileThreads = 16;

    /// <summary>Inputs staged in shared memory per pass of a tiled matrix multiply.</summary>
    private const int TileDepth = 16;

    /// <summary>Thread <c>(c, r)</c>: <c>x[r, c] = table[token[r], c]</c>.</summary>
    public static void Embed(Index2D index, ArrayView<float> table, ArrayView<int> tokens, ArrayView<float> x, int dim)
    {
        var (c, r) = (index.X, index.Y);
        x[r * dim + c] = table[tokens[r] * dim + c];
    }

    /// <summary>
    /// Thread <c>(j, g)</c>: <c>y[r, j] = Σₚ x[r, p]·w[p, j]</c> for the rows <c>r</c> of group <c>g</c>, one fused
    /// multiply-add per input in order: the sum the CPU backend's packed GEMM computes, and <see cref="MatMulTiled"/>'s.
    /// The weights are stored inputs-major (<c>[inputs, outputs]</c>), so neighbouring threads read neighbouring weights.
    /// </summary>
    public static void MatMul(Index2D index, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, MatMulShape shape)
    {
        var j = index.X;
        var r0 = index.Y * RowsPerThread;
        var k = shape.Inputs;
        var n = shape.Outputs;
        var count = shape.Rows - r0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var x0 = r0 * k;
        for (var p = 0; p < k; p++)
        {
            var wp = w[(long)p * n + j];
            s0 = MathF.FusedMultiplyAdd(x[x0 + p], wp, s0);
            if (count > 1)
            {
                s1 = MathF.FusedMultiplyAdd(x[x0 + k + p], wp, s1);
            }
            if (count > 2)
            {
                s2 = MathF.FusedMultiplyAdd(x[x0 + 2 * k + p], wp, s2);
            }
            if (count > 3)
            {
                s3 = MathF.FusedMultiplyAdd(x[x0 + 3 * k + p], wp, s3);
            }
        }
        y[(long)r0 * n + j] = s0;
        if (count > 1)
        {
            y[(long)(r0 + 1) * n + j] = s1;
        }
        if (count > 2)
        {
            y[(long)(r0 + 2) * n + j] = s2;
        }
        if (count > 3)
        {
            y[(long)(r0 + 3) * n + j] = s3;
        }
    }

    /// <summary>
    /// A group of 16 × 16 threads computes a 64 × 64 tile of <c>y = x · w</c>, each thread the outputs
    /// <c>(row + 16i, column + 16j)</c> for <c>i, j</c> in 0..3. Sixteen inputs at a time, the group stages the tile's
    /// rows of <c>x</c> and columns of <c>w</c> in shared memory, so each value read from device memory feeds 64 fused
    /// multiply-adds. Each output is still one fused multiply-add per input in order, bit-identical to
    /// <see cref="MatMul"/>'s.
    /// </summary>
    public static void MatMulTiled(ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, MatMulShape shape)
    {
        var xs = SharedMemory.Allocate<float>(TileDepth * Tile);
        var ws = SharedMemory.Allocate<float>(TileDepth * Tile);
        var (tx, ty) = (Group.IdxX, Group.IdxY);
        var thread = ty * TileThreads + tx;
        var c0 = Grid.IdxX * Tile;
        var r0 = Grid.IdxY * Tile;
        var (k, n, rows) = (shape.Inputs, shape.Outputs, shape.Rows);
        float a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
        float a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
        for (var p0 = 0; p0 < k; p0 += TileDepth)
        {
            for (var e = thread; e < TileDepth * Tile; e += TileThreads * TileThreads)
            {
                // x: 64 rows × 16 inputs, stored input-major; w: 16 inputs × 64 outputs.
                var (row, input) = (e / TileDepth, e % TileDepth);
                xs[input * Tile + row] = r0 + row < rows && p0 + input < k ? x[(r0 + row) * k + p0 + input] : 0f;
                var (wInput, column) = (e / Tile, e % Tile);
                ws[e] = c0 + column < n && p0 + wInput < k ? w[(long)(p0 + wInput) * n + c0 + column] : 0f;
            }
            Group.Barrier();
            var depth = Math.Min(TileDepth, k - p0);
            for (var q = 0; q < depth; q++)
            {
                var b0 = ws[q * Tile + tx];
                var b1 = ws[q * Tile + tx + 16];
                var b2 = ws[q * Tile + tx + 32];
                var b3 = ws[q * Tile + tx + 48];
                var x0 = xs[q * Tile + ty];
                a00 = MathF.FusedMultiplyAdd(x0, b0, a00);
                a01 = MathF.FusedMultiplyAdd(x0, b1, a01);
                a02 = MathF.FusedMultiplyAdd(x0, b2, a02);
                a03 = MathF.FusedMultiplyAdd(x0, b3, a03);
                var x1 = xs[q * Tile + ty + 16];
                a10 = MathF.FusedMultiplyAdd(x1, b0, a10);
                a11 = MathF.FusedMultiplyAdd(x1, b1, a11);
                a12 = MathF.FusedMultiplyAdd(x1, b2, a12);
                a13 = MathF.FusedMultiplyAdd(x1, b3, a13);
                var x2 = xs[q * Tile + ty + 32];
                a20 = MathF.FusedMultiplyAdd(x2, b0, a20);
                a21 = MathF.FusedMultiplyAdd(x2, b1, a21);
                a22 = MathF.FusedMultiplyAdd(x2, b2, a22);
                a23 = MathF.FusedMultiplyAdd(x2, b3, a23);
                var x3 = xs[q * Tile + ty + 48];
                a30 = MathF.FusedMultiplyAdd(x3, b0, a30);
                a31 = MathF.FusedMultiplyAdd(x3, b1, a31);
                a32 = MathF.FusedMultiplyAdd(x3, b2, a32);
                a33 = MathF.FusedMultiplyAdd(x3, b3, a33);
            }
            Group.Barrier();
        }
        StoreTileRow(y, r0 + ty, c0 + tx, rows, n, a00, a01, a02, a03);
        StoreTileRow(y, r0 + ty + 16, c0 + tx, rows, n, a10, a11, a12, a13);
        StoreTileRow(y, r0 + ty + 32, c0 + tx, rows, n, a20, a21, a22, a23);
        StoreTileRow(y, r0 + ty + 48, c0 + tx, rows, n, a30, a31, a32, a33);
    }

    private static void StoreTileRow(ArrayView<float> y, int row, int column, int rows, int n, float v0, float v1, float v2, float v3)
    {
        if (row >= rows)
        {
            return;
        }
        var at = (long)row * n + column;
        if (column < n)
        {
            y[at] = v0;
        }
        if (column + 16 < n)
        {
            y[at + 16] = v1;
        }
        if (column + 32 < n)
        {
            y[at + 32] = v2;
        }
        if (column + 48 < n)
        {
            y[at + 48] = v3;
        }
    }

    /// <summary>Thread <c>r</c>: row <c>r</c> of <c>y = weight ⊙ x / rms(x)</c>.</summary>
    public static void RmsNorm(Index1D r, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> y, int dim, float epsilon)
    {
        var row = r * dim;
        var sum = 0f;
        for (var p = 0; p < dim; p++)
        {
            sum += x[row + p] * x[row + p];
        }
        var scale = 1f / MathF.Sqrt(sum / dim + epsilon);
        for (var p = 0; p < dim; p++)
        {
            y[row + p] = weight[p] * (scale * x[row + p]);
        }
    }

    /// <summary>Thread <c>(q, r)</c>: pair <c>q</c> (across the heads) of row <c>r</c>, rotated by the row's position.</summary>
    public static void Rotate(Index2D index, ArrayView<float> values, ArrayView<int> positions, ArrayView<float> cos, ArrayView<float> sin, RotaryShape shape)
    {
        var (q, r) = (index.X, index.Y);
        var lane = 2 * q;
        var at = r * shape.RowStride + shape.Offset + lane;
        var table = positions[r] * shape.HeadSize + lane % shape.HeadSize;
        var a = values[at];
        var b = values[at + 1];
        values[at] = a * cos[table] + b * sin[table];
        values[at + 1] = b * cos[table + 1] + a * sin[table + 1];
    }

    /// <summary>Thread <c>(c, r)</c>: component <c>c</c> of row <c>r</c>'s new key and value, into its slot of the paged cache.</summary>
    public static void StoreKeysAndValues(
        Index2D index, ArrayView<float> qkv, ArrayView<int> positions, ArrayView<int> writeKv, ArrayView<int> tables,
        ArrayView<float> keys, ArrayView<float> values, KvShape shape)
    {
        var (c, r) = (index.X, index.Y);
        if (writeKv[r] == 0)
        {
            return;
        }
        var position = positions[r];
        var block = tables[r * shape.TableStride + position / shape.BlockSize];
        var slot = ((long)block * shape.BlockSize + position % shape.BlockSize) * shape.KvDim + c;
        var row = r * shape.RowStride;
        keys[slot] = qkv[row + shape.KeyOffset + c];
        values[slot] = qkv[row + shape.ValueOffset + c];
    }

    /// <summary>Thread <c>(t, rh)</c>: the scaled score of query head <c>rh</c> (row-major over rows and heads) against position <c>t</c>.</summary>
    public static void AttentionScores(
        Index2D index, ArrayView<float> qkv, ArrayView<int> positions, ArrayView<int> tables, ArrayView<float> keys,
        ArrayView<float> scores, AttentionShape shape)
    {
        var (t, rh) = (index.X, index.Y);
        var r = rh / shape.Heads;
        if (t > positions[r])
        {
            return;
        }
        var h = rh % shape.Heads;
        var query = r * shape.QueryStride + h * shape.HeadSize;
        var key = KeySlot(tables, r, t, h, shape);
        var dot = 0f;
        for (var d = 0; d < shape.HeadSize; d++)
        {
            dot += qkv[query + d] * keys[key + d];
        }
        scores[(long)rh * shape.ScoreStride + t] = dot * shape.Scale;
    }

    /// <summary>Thread <c>rh</c>: scores <c>0..position</c> of query head <c>rh</c> become softmax weights.</summary>
    public static void Softmax(Index1D index, ArrayView<float> scores, ArrayView<int> positions, AttentionShape shape)
    {
        int rh = index;
        var count = positions[rh / shape.Heads] + 1;
        var row = (long)rh * shape.ScoreStride;
        var max = float.NegativeInfinity;
        for (var t = 0; t < count; t++)
        {
            max = MathF.Max(max, scores[row + t]);
        }
        var sum = 0f;
        for (var t = 0; t < count; t++)
        {
            var e = Exp(scores[row + t] - max);
            scores[row + t] = e;
            sum += e;
        }
        var inverse = 1f / sum;
        for (var t = 0; t < count; t++)
        {
            scores[row + t] *= inverse;
        }
    }

    /// <summary>Thread <c>(d, rh)</c>: component <c>d</c> of query head <c>rh</c>'s output, the weighted sum of the values.</summary>
    public static void AttentionValues(
        Index2D index, ArrayView<float> scores, ArrayView<int> positions, ArrayView<int> tables, ArrayView<float> values,
        ArrayView<float> output, AttentionShape shape)
    {
        var (d, rh) = (index.X, index.Y);
        var r = rh / shape.Heads;
        var h = rh % shape.Heads;
        var count = positions[r] + 1;
        var row = (long)rh * shape.ScoreStride;
        var sum = 0f;
        for (var t = 0; t < count; t++)
        {
            sum += scores[row + t] * values[KeySlot(tables, r, t, h, shape) + d];
        }
        output[rh * shape.HeadSize + d] = sum;
    }

    private static long KeySlot(ArrayView<int> tables, int r, int t, int h, AttentionShape shape)
    {
        var block = tables[r * shape.TableStride + t / shape.BlockSize];
        return ((long)block * shape.BlockSize + t % shape.BlockSize) * shape.KvDim + h / shape.Group * shape.HeadSize;
    }

    /// <summary>Thread <c>(c, r)</c>: <c>y[r, c] = silu(gate[r, c])·up[r, c]</c>.</summary>
    public static void SwiGlu(Index2D index, ArrayView<float> gateUp, ArrayView<float> y, int hidden)
    {
        var (c, r) = (index.X, index.Y);
        var g = gateUp[r * 2 * hidden + c];
        var u = gateUp[r * 2 * hidden + hidden + c];
        y[r * hidden + c] = g / (1f + Exp(-g)) * u;
    }

    public static void Add(Index1D i, ArrayView<float> x, ArrayView<float> delta) => x[i] += delta[i];

    /// <summary>Thread <c>(c, i)</c>: <c>y[i, c] = x[sampleRows[first + i], c]</c>.</summary>
    public static void Gather(Index2D index, ArrayView<float> x, ArrayView<int> sampleRows, ArrayView<float> y, int first, int dim)
    {
        var (c, i) = (index.X, index.Y);
        y[i * dim + c] = x[sampleRows[first + i] * dim + c];
    }

    /// <summary>Thread <c>i</c>: eight independent chains of <paramref name="iterations"/> fused multiply-adds each, for the benchmark's peak.</summary>
    public static void FmaChains(Index1D i, ArrayView<float> sink, int iterations)
    {
        var a0 = i * 1e-9f;
        float a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7;
        for (var n = 0; n < iterations; n++)
        {
            a0 = MathF.FusedMultiplyAdd(a0, 0.999999f, 1e-7f);
            a1 = MathF.FusedMultiplyAdd(a1, 0.999999f, 1e-7f);
            a2 = MathF.FusedMultiplyAdd(a2, 0.999999f, 1e-7f);
            a3 = MathF.FusedMultiplyAdd(a3, 0.999999f, 1e-7f);
            a4 = MathF.FusedMultiplyAdd(a4, 0.999999f, 1e-7f);
            a5 = MathF.FusedMultiplyAdd(a5, 0.999999f, 1e-7f);
            a6 = MathF.FusedMultiplyAdd(a6, 0.999999f, 1e-7f);
            a7 = MathF.FusedMultiplyAdd(a7, 0.999999f, 1e-7f);
        }
        sink[i] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    }

    /// <summary>
    /// <c>eˣ</c> to within a few units in the last place: <c>x = n·ln 2 + f</c> with <c>n</c> an integer and
    /// <c>|f| ≤ ½ ln 2</c>, <c>eᶠ</c> by its Taylor series to the seventh power, and <c>2ⁿ</c> put into the exponent bits.
    /// </summary>
    public static float Exp(float x)
    {
        if (x < -87.3f)
        {
            return 0f;
        }
        if (x > 88.7f)
        {
            return float.PositiveInfinity;
        }
        var scaled = x * 1.44269504f;
        var n = (int)(scaled >= 0 ? scaled + 0.5f : scaled - 0.5f);
        // x − n·ln 2 in two parts (Cody and Waite): the first has few enough bits that n times it is exact.
        var f = x - n * 0.693145752f - n * 1.42860677e-6f;
        var p = 1f + f * (1f + f * (0.5f + f * (0.166666667f + f * (0.0416666667f + f * (0.00833333333f + f * (0.00138888889f + f * 0.000198412698f))))));
        return p * Interop.IntAsFloat((uint)((n + 127) << 23));
    }
}
