using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// The packed-panel GEMM tiles for CPUs with 512-bit vectors: one panel row is exactly one register.
/// The main tile is six rows by four panels, 24 accumulators of the 32 registers, so each weight load feeds six
/// fused multiply-adds and each broadcast input feeds four, and the FMA units (not the loads) set the pace.
/// Every output is still its inputs summed in order with one fused multiply-add each, the same sum the 256-bit
/// tiles compute, so both widths give bit-identical results.
/// </summary>
internal static unsafe class PackedTiles512
{
    public const int TileRows = 6;
    public const int TilePanels = 4;
    private const int Width = PackedMatrix.PanelWidth;

    /// <summary>Six rows by four consecutive panels; the fourth may be the matrix's zero-padded last one.</summary>
    public static void Tile6x4(float* x, int k, float* panel, float* y, int n, int lastWidth)
    {
        var stride = (long)k * Width;
        var p0 = panel;
        var p1 = panel + stride;
        var p2 = p1 + stride;
        var p3 = p2 + stride;
        var x1 = x + k;
        var x2 = x1 + k;
        var x3 = x2 + k;
        var x4 = x3 + k;
        var x5 = x4 + k;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        for (var p = 0; p < k; p++)
        {
            var offset = p * Width;
            var w0 = Vector512.Load(p0 + offset);
            var w1 = Vector512.Load(p1 + offset);
            var w2 = Vector512.Load(p2 + offset);
            var w3 = Vector512.Load(p3 + offset);
            var a = Vector512.Create(x[p]);
            c00 = Vector512.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector512.FusedMultiplyAdd(a, w1, c01);
            c02 = Vector512.FusedMultiplyAdd(a, w2, c02);
            c03 = Vector512.FusedMultiplyAdd(a, w3, c03);
            a = Vector512.Create(x1[p]);
            c10 = Vector512.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector512.FusedMultiplyAdd(a, w1, c11);
            c12 = Vector512.FusedMultiplyAdd(a, w2, c12);
            c13 = Vector512.FusedMultiplyAdd(a, w3, c13);
            a = Vector512.Create(x2[p]);
            c20 = Vector512.FusedMultiplyAdd(a, w0, c20);
            c21 = Vector512.FusedMultiplyAdd(a, w1, c21);
            c22 = Vector512.FusedMultiplyAdd(a, w2, c22);
            c23 = Vector512.FusedMultiplyAdd(a, w3, c23);
            a = Vector512.Create(x3[p]);
            c30 = Vector512.FusedMultiplyAdd(a, w0, c30);
            c31 = Vector512.FusedMultiplyAdd(a, w1, c31);
            c32 = Vector512.FusedMultiplyAdd(a, w2, c32);
            c33 = Vector512.FusedMultiplyAdd(a, w3, c33);
            a = Vector512.Create(x4[p]);
            c40 = Vector512.FusedMultiplyAdd(a, w0, c40);
            c41 = Vector512.FusedMultiplyAdd(a, w1, c41);
            c42 = Vector512.FusedMultiplyAdd(a, w2, c42);
            c43 = Vector512.FusedMultiplyAdd(a, w3, c43);
            a = Vector512.Create(x5[p]);
            c50 = Vector512.FusedMultiplyAdd(a, w0, c50);
            c51 = Vector512.FusedMultiplyAdd(a, w1, c51);
            c52 = Vector512.FusedMultiplyAdd(a, w2, c52);
            c53 = Vector512.FusedMultiplyAdd(a, w3, c53);
        }
        var mask = ColumnMask(lastWidth);
        StoreRow(c00, c01, c02, c03, y, mask);
        StoreRow(c10, c11, c12, c13, y + n, mask);
        StoreRow(c20, c21, c22, c23, y + 2 * n, mask);
        StoreRow(c30, c31, c32, c33, y + 3 * n, mask);
        StoreRow(c40, c41, c42, c43, y + 4 * n, mask);
        StoreRow(c50, c51, c52, c53, y + 5 * n, mask);
    }

    /// <summary>
    /// Two rows by four panels, for rows left over after the six-row tiles (a decode step of eight sequences leaves
    /// two): each weight load feeds two fused multiply-adds rather than one.
    /// </summary>
    public static void Tile2x4(float* x, int k, float* panel, float* y, int n, int lastWidth)
    {
        var stride = (long)k * Width;
        var p0 = panel;
        var p1 = panel + stride;
        var p2 = p1 + stride;
        var p3 = p2 + stride;
        var x1 = x + k;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        for (var p = 0; p < k; p++)
        {
            var offset = p * Width;
            var w0 = Vector512.Load(p0 + offset);
            var w1 = Vector512.Load(p1 + offset);
            var w2 = Vector512.Load(p2 + offset);
            var w3 = Vector512.Load(p3 + offset);
            var a = Vector512.Create(x[p]);
            c00 = Vector512.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector512.FusedMultiplyAdd(a, w1, c01);
            c02 = Vector512.FusedMultiplyAdd(a, w2, c02);
            c03 = Vector512.FusedMultiplyAdd(a, w3, c03);
            a = Vector512.Create(x1[p]);
            c10 = Vector512.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector512.FusedMultiplyAdd(a, w1, c11);
            c12 = Vector512.FusedMultiplyAdd(a, w2, c12);
            c13 = Vector512.FusedMultiplyAdd(a, w3, c13);
        }
        var mask = ColumnMask(lastWidth);
        StoreRow(c00, c01, c02, c03, y, mask);
        StoreRow(c10, c11, c12, c13, y + n, mask);
    }

    /// <summary>One row by four panels (the rows left over after the six-row tiles, and decode steps).</summary>
    public static void Tile1x4(float* x, int k, float* panel, float* y, int lastWidth)
    {
        var stride = (long)k * Width;
        var p0 = panel;
        var p1 = panel + stride;
        var p2 = p1 + stride;
        var p3 = p2 + stride;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (var p = 0; p < k; p++)
        {
            var offset = p * Width;
            var a = Vector512.Create(x[p]);
            c0 = Vector512.FusedMultiplyAdd(a, Vector512.Load(p0 + offset), c0);
            c1 = Vector512.FusedMultiplyAdd(a, Vector512.Load(p1 + offset), c1);
            c2 = Vector512.FusedMultiplyAdd(a, Vector512.Load(p2 + offset), c2);
            c3 = Vector512.FusedMultiplyAdd(a, Vector512.Load(p3 + offset), c3);
        }
        StoreRow(c0, c1, c2, c3, y, ColumnMask(lastWidth));
    }

    /// <summary>Six rows by two panels, for a pair of panels left over after the four-panel tiles.</summary>
    public static void Tile6x2(float* x, int k, float* panel, float* y, int n, int lastWidth)
    {
        var p1 = panel + (long)k * Width;
        var x1 = x + k;
        var x2 = x1 + k;
        var x3 = x2 + k;
        var x4 = x3 + k;
        var x5 = x4 + k;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < k; p++)
        {
            var offset = p * Width;
            var w0 = Vector512.Load(panel + offset);
            var w1 = Vector512.Load(p1 + offset);
            var a = Vector512.Create(x[p]);
            c00 = Vector512.FusedMultiplyAdd(a, w0, c00);
            c01 = Vector512.FusedMultiplyAdd(a, w1, c01);
            a = Vector512.Create(x1[p]);
            c10 = Vector512.FusedMultiplyAdd(a, w0, c10);
            c11 = Vector512.FusedMultiplyAdd(a, w1, c11);
            a = Vector512.Create(x2[p]);
            c20 = Vector512.FusedMultiplyAdd(a, w0, c20);
            c21 = Vector512.FusedMultiplyAdd(a, w1, c21);
            a = Vector512.Create(x3[p]);
            c30 = Vector512.FusedMultiplyAdd(a, w0, c30);
            c31 = Vector512.FusedMultiplyAdd(a, w1, c31);
            a = Vector512.Create(x4[p]);
            c40 = Vector512.FusedMultiplyAdd(a, w0, c40);
            c41 = Vector512.FusedMultiplyAdd(a, w1, c41);
            a = Vector512.Create(x5[p]);
            c50 = Vector512.FusedMultiplyAdd(a, w0, c50);
            c51 = Vector512.FusedMultiplyAdd(a, w1, c51);
        }
        var mask = ColumnMask(lastWidth);
        Vector512.Store(c00, y);
        Store(c01, y + Width, mask);
        Vector512.Store(c10, y + n);
        Store(c11, y + n + Width, mask);
        Vector512.Store(c20, y + 2 * n);
        Store(c21, y + 2 * n + Width, mask);
        Vector512.Store(c30, y + 3 * n);
        Store(c31, y + 3 * n + Width, mask);
        Vector512.Store(c40, y + 4 * n);
        Store(c41, y + 4 * n + Width, mask);
        Vector512.Store(c50, y + 5 * n);
        Store(c51, y + 5 * n + Width, mask);
    }

    /// <summary>Six rows by one panel, for the panels left over after the four-panel tiles.</summary>
    public static void Tile6x1(float* x, int k, float* panel, float* y, int n, int width)
    {
        var x1 = x + k;
        var x2 = x1 + k;
        var x3 = x2 + k;
        var x4 = x3 + k;
        var x5 = x4 + k;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (var p = 0; p < k; p++)
        {
            var w = Vector512.Load(panel + p * Width);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(x[p]), w, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(x1[p]), w, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(x2[p]), w, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(x3[p]), w, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(x4[p]), w, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(x5[p]), w, c5);
        }
        var mask = ColumnMask(width);
        Store(c0, y, mask);
        Store(c1, y + n, mask);
        Store(c2, y + 2 * n, mask);
        Store(c3, y + 3 * n, mask);
        Store(c4, y + 4 * n, mask);
        Store(c5, y + 5 * n, mask);
    }

    public static void Tile1x1(float* x, int k, float* panel, float* y, int width)
    {
        Vector512<float> c = default;
        for (var p = 0; p < k; p++)
        {
            c = Vector512.FusedMultiplyAdd(Vector512.Create(x[p]), Vector512.Load(panel + p * Width), c);
        }
        Store(c, y, ColumnMask(width));
    }

    /// <summary>All ones in the lanes of real columns: the padded lanes of the last panel are never written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnMask(int width) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(width)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3, float* y, Vector512<float> lastMask)
    {
        Vector512.Store(c0, y);
        Vector512.Store(c1, y + Width);
        Vector512.Store(c2, y + 2 * Width);
        Store(c3, y + 3 * Width, lastMask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> c, float* y, Vector512<float> mask) => Avx512F.MaskStore(y, mask, c);
}
