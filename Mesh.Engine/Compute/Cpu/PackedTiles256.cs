using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// The packed-panel GEMM tiles for CPUs with 256-bit vectors (16 registers): six rows by one 16-column panel,
/// twelve accumulators, each output summed over the inputs in order with one fused multiply-add per input.
/// </summary>
internal static unsafe class PackedTiles256
{
    public const int TileRows = 6;
    private const int Lanes = 8;
    private const int Width = PackedMatrix.PanelWidth;

    public static void Tile6x1(float* x, int k, float* panel, float* y, int n, int width)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        var x1 = x + k;
        var x2 = x1 + k;
        var x3 = x2 + k;
        var x4 = x3 + k;
        var x5 = x4 + k;
        for (var p = 0; p < k; p++)
        {
            var w0 = Vector256.Load(panel + p * Width);
            var w1 = Vector256.Load(panel + p * Width + Lanes);
            var a = Vector256.Create(x[p]);
            c00 = Vector256.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
            a = Vector256.Create(x1[p]);
            c10 = Vector256.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
            a = Vector256.Create(x2[p]);
            c20 = Vector256.FusedMultiplyAdd(a, w0, c20);
            c21 = Vector256.FusedMultiplyAdd(a, w1, c21);
            a = Vector256.Create(x3[p]);
            c30 = Vector256.FusedMultiplyAdd(a, w0, c30);
            c31 = Vector256.FusedMultiplyAdd(a, w1, c31);
            a = Vector256.Create(x4[p]);
            c40 = Vector256.FusedMultiplyAdd(a, w0, c40);
            c41 = Vector256.FusedMultiplyAdd(a, w1, c41);
            a = Vector256.Create(x5[p]);
            c50 = Vector256.FusedMultiplyAdd(a, w0, c50);
            c51 = Vector256.FusedMultiplyAdd(a, w1, c51);
        }
        StoreRow(c00, c01, y, width);
        StoreRow(c10, c11, y + n, width);
        StoreRow(c20, c21, y + 2 * n, width);
        StoreRow(c30, c31, y + 3 * n, width);
        StoreRow(c40, c41, y + 4 * n, width);
        StoreRow(c50, c51, y + 5 * n, width);
    }

    /// <summary>Two rows by one panel, for rows left over after the six-row tiles: each weight load feeds two fused multiply-adds.</summary>
    public static void Tile2x1(float* x, int k, float* panel, float* y, int n, int width)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        var x1 = x + k;
        for (var p = 0; p < k; p++)
        {
            var w0 = Vector256.Load(panel + p * Width);
            var w1 = Vector256.Load(panel + p * Width + Lanes);
            var a = Vector256.Create(x[p]);
            c00 = Vector256.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
            a = Vector256.Create(x1[p]);
            c10 = Vector256.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
        }
        StoreRow(c00, c01, y, width);
        StoreRow(c10, c11, y + n, width);
    }

    public static void Tile1x1(float* x, int k, float* panel, float* y, int width)
    {
        Vector256<float> c0 = default, c1 = default;
        for (var p = 0; p < k; p++)
        {
            var a = Vector256.Create(x[p]);
            c0 = Vector256.FusedMultiplyAdd(a, Vector256.Load(panel + p * Width), c0);
            c1 = Vector256.FusedMultiplyAdd(a, Vector256.Load(panel + p * Width + Lanes), c1);
        }
        StoreRow(c0, c1, y, width);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector256<float> low, Vector256<float> high, float* y, int width)
    {
        if (width == Width)
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
}
