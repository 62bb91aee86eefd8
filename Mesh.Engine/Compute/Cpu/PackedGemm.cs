namespace Mesh.Engine.Compute.Cpu;

/// <summary>
/// The CPU's matrix multiply over packed weight panels: the product split over threads in whole tiles of panels (and,
/// for long prompts, of rows), and each range computed six rows at a time against the widest tile of panels the
/// vector width allows.
/// </summary>
internal sealed unsafe class PackedGemm(bool wide, int threads, ParallelOptions parallel)
{
    /// <summary><c>y[rows, outputs] = x[rows, inputs] · wᵀ</c>.</summary>
    public void Multiply(ReadOnlySpan<float> x, int rows, PackedMatrix w, Span<float> y)
    {
        fixed (float* px = x, pw = w.Data, py = y)
        {
            var xp = (nint)px;
            var wp = (nint)pw;
            var yp = (nint)py;
            var panels = w.Panels;
            // Work is split in whole tiles of panels (a thread's range never cuts a four-panel tile in two) and,
            // for long prompts, in whole tiles of rows too, so the threads finish together.
            var group = wide ? PackedTiles512.TilePanels : 1;
            var groups = (panels + group - 1) / group;
            var work = (long)rows * w.Outputs * w.Inputs;
            var columnChunks = work < 1 << 16 ? 1 : Math.Min(groups, threads * 4);
            var rowChunks = work < 1 << 16 ? 1 : Math.Clamp(rows / RowsPerChunk, 1, threads * 2);
            if (columnChunks * rowChunks == 1)
            {
                PackedRange((float*)xp, w, (float*)wp, (float*)yp, 0, rows, 0, panels);
                return;
            }
            var tiles = (rows + 5) / 6;
            Parallel.For(0, columnChunks * rowChunks, parallel, c =>
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
            if (wide)
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
                    if (wide)
                    {
                        PackedTiles512.Tile6x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                    }
                    else
                    {
                        PackedTiles256.Tile6x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                    }
                }
                for (; !wide && r + 2 <= r1; r += 2)
                {
                    PackedTiles256.Tile2x1(x + (long)r * k, k, panelData, y + (long)r * n + column, n, width);
                }
                for (; r < r1; r++)
                {
                    if (wide)
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
}
