using System.Runtime.Intrinsics;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// Dot-product tiles over a row-major weight (a classifier tied to the embedding, read once per token): each
/// output is <see cref="SimdKernels.Dot"/>'s sum, sixteen lanes folded in its fixed order, so it matches a lone
/// dot product and is the same on both widths.
/// </summary>
internal static unsafe class RowMajorTiles
{
    private const int Wide = 16;
    private const int Narrow = 8;

    /// <summary>Output columns <c>[jStart, jEnd)</c> for every row, in L2-sized blocks of rows.</summary>
    public static void Range(float* x, int rows, int k, float* w, int n, float* y, int jStart, int jEnd, bool wide)
    {
        var tileRows = wide ? 4 : 2;
        var tileColumns = wide ? 4 : 2;
        var rowBlock = Math.Max(tileRows, tileRows * (64 * 1024 / (k * sizeof(float) * tileRows)));
        for (var i0 = 0; i0 < rows; i0 += rowBlock)
        {
            var i1 = Math.Min(rows, i0 + rowBlock);
            var j = jStart;
            for (; j + tileColumns <= jEnd; j += tileColumns)
            {
                var wj = w + (long)j * k;
                var i = i0;
                for (; i + tileRows <= i1; i += tileRows)
                {
                    if (wide)
                    {
                        Tile4x4(x + (long)i * k, k, wj, y + (long)i * n + j, n);
                    }
                    else
                    {
                        Tile2x2(x + (long)i * k, k, wj, y + (long)i * n + j, n);
                    }
                }
                for (; i < i1; i++)
                {
                    if (wide)
                    {
                        Tile1x4(x + (long)i * k, k, wj, y + (long)i * n + j);
                    }
                    else
                    {
                        Tile1x2(x + (long)i * k, k, wj, y + (long)i * n + j);
                    }
                }
            }
            for (; j < jEnd; j++)
            {
                for (var i = i0; i < i1; i++)
                {
                    y[(long)i * n + j] = SimdKernels.Dot(x + (long)i * k, w + (long)j * k, k, wide);
                }
            }
        }
    }

    /// <summary>Four rows of x against four rows of w: sixteen 512-bit accumulators.</summary>
    private static void Tile4x4(float* x, int k, float* w, float* y, int n)
    {
        var x1 = x + k;
        var x2 = x1 + k;
        var x3 = x2 + k;
        var w1 = w + k;
        var w2 = w1 + k;
        var w3 = w2 + k;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        var p = 0;
        for (; p + Wide <= k; p += Wide)
        {
            var a0 = Vector512.Load(x + p);
            var a1 = Vector512.Load(x1 + p);
            var a2 = Vector512.Load(x2 + p);
            var a3 = Vector512.Load(x3 + p);
            var b = Vector512.Load(w + p);
            c00 = Vector512.FusedMultiplyAdd(a0, b, c00);
            c10 = Vector512.FusedMultiplyAdd(a1, b, c10);
            c20 = Vector512.FusedMultiplyAdd(a2, b, c20);
            c30 = Vector512.FusedMultiplyAdd(a3, b, c30);
            b = Vector512.Load(w1 + p);
            c01 = Vector512.FusedMultiplyAdd(a0, b, c01);
            c11 = Vector512.FusedMultiplyAdd(a1, b, c11);
            c21 = Vector512.FusedMultiplyAdd(a2, b, c21);
            c31 = Vector512.FusedMultiplyAdd(a3, b, c31);
            b = Vector512.Load(w2 + p);
            c02 = Vector512.FusedMultiplyAdd(a0, b, c02);
            c12 = Vector512.FusedMultiplyAdd(a1, b, c12);
            c22 = Vector512.FusedMultiplyAdd(a2, b, c22);
            c32 = Vector512.FusedMultiplyAdd(a3, b, c32);
            b = Vector512.Load(w3 + p);
            c03 = Vector512.FusedMultiplyAdd(a0, b, c03);
            c13 = Vector512.FusedMultiplyAdd(a1, b, c13);
            c23 = Vector512.FusedMultiplyAdd(a2, b, c23);
            c33 = Vector512.FusedMultiplyAdd(a3, b, c33);
        }
        FinishRow(c00, c01, c02, c03, x, w, k, p, y);
        FinishRow(c10, c11, c12, c13, x1, w, k, p, y + n);
        FinishRow(c20, c21, c22, c23, x2, w, k, p, y + 2 * n);
        FinishRow(c30, c31, c32, c33, x3, w, k, p, y + 3 * n);
    }

    /// <summary>One row of x against four rows of w (decode steps, and rows left over after the four-row tiles).</summary>
    private static void Tile1x4(float* x, int k, float* w, float* y)
    {
        var w1 = w + k;
        var w2 = w1 + k;
        var w3 = w2 + k;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        var p = 0;
        for (; p + Wide <= k; p += Wide)
        {
            var a = Vector512.Load(x + p);
            c0 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w + p), c0);
            c1 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w1 + p), c1);
            c2 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w2 + p), c2);
            c3 = Vector512.FusedMultiplyAdd(a, Vector512.Load(w3 + p), c3);
        }
        FinishRow(c0, c1, c2, c3, x, w, k, p, y);
    }

    private static void FinishRow(Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, float* x, float* w, int k, int p, float* y)
    {
        y[0] = Finish(c0, x, w, p, k);
        y[1] = Finish(c1, x, w + k, p, k);
        y[2] = Finish(c2, x, w + 2 * k, p, k);
        y[3] = Finish(c3, x, w + 3 * k, p, k);
    }

    /// <summary>Two rows of x against two rows of w, each output in two 256-bit halves: eight accumulators of the 16 registers.</summary>
    private static void Tile2x2(float* x, int k, float* w, float* y, int n)
    {
        var x1 = x + k;
        var w1 = w + k;
        Vector256<float> l00 = default, h00 = default, l01 = default, h01 = default;
        Vector256<float> l10 = default, h10 = default, l11 = default, h11 = default;
        var p = 0;
        for (; p + Wide <= k; p += Wide)
        {
            var a0 = Vector256.Load(x + p);
            var a1 = Vector256.Load(x1 + p);
            var b = Vector256.Load(w + p);
            l00 = Vector256.FusedMultiplyAdd(a0, b, l00);
            l10 = Vector256.FusedMultiplyAdd(a1, b, l10);
            b = Vector256.Load(w1 + p);
            l01 = Vector256.FusedMultiplyAdd(a0, b, l01);
            l11 = Vector256.FusedMultiplyAdd(a1, b, l11);
            a0 = Vector256.Load(x + p + Narrow);
            a1 = Vector256.Load(x1 + p + Narrow);
            b = Vector256.Load(w + p + Narrow);
            h00 = Vector256.FusedMultiplyAdd(a0, b, h00);
            h10 = Vector256.FusedMultiplyAdd(a1, b, h10);
            b = Vector256.Load(w1 + p + Narrow);
            h01 = Vector256.FusedMultiplyAdd(a0, b, h01);
            h11 = Vector256.FusedMultiplyAdd(a1, b, h11);
        }
        y[0] = Finish(l00, h00, x, w, p, k);
        y[1] = Finish(l01, h01, x, w1, p, k);
        y[n] = Finish(l10, h10, x1, w, p, k);
        y[n + 1] = Finish(l11, h11, x1, w1, p, k);
    }

    /// <summary>One row of x against two rows of w, each output in two 256-bit halves.</summary>
    private static void Tile1x2(float* x, int k, float* w, float* y)
    {
        var w1 = w + k;
        Vector256<float> l0 = default, h0 = default, l1 = default, h1 = default;
        var p = 0;
        for (; p + Wide <= k; p += Wide)
        {
            var a = Vector256.Load(x + p);
            l0 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w + p), l0);
            l1 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w1 + p), l1);
            a = Vector256.Load(x + p + Narrow);
            h0 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w + p + Narrow), h0);
            h1 = Vector256.FusedMultiplyAdd(a, Vector256.Load(w1 + p + Narrow), h1);
        }
        y[0] = Finish(l0, h0, x, w, p, k);
        y[1] = Finish(l1, h1, x, w1, p, k);
    }

    private static float Finish(Vector512<float> acc, float* a, float* b, int from, int length) =>
        Finish(acc.GetLower(), acc.GetUpper(), a, b, from, length);

    private static float Finish(Vector256<float> low, Vector256<float> high, float* a, float* b, int from, int length)
    {
        var sum = SimdKernels.Fold(low, high);
        for (var p = from; p < length; p++)
        {
            sum = MathF.FusedMultiplyAdd(a[p], b[p], sum);
        }
        return sum;
    }
}
