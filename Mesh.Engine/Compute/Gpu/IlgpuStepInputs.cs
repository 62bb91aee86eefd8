using ILGPU;
using ILGPU.Runtime;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>
/// A step's batch copied to the device once: tokens, positions, write flags, sampled rows and the block tables as one
/// <c>[rows, TableStride]</c> array. The host arrays and device buffers are reused from step to step and grow when a
/// batch needs more.
/// </summary>
internal sealed class IlgpuStepInputs(Accelerator accelerator) : IStepInputs, IDisposable
{
    private int[] _host = [];
    private MemoryBuffer1D<int, Stride1D.Dense>? _device;

    public ForwardBatch Batch { get; private set; } = null!;

    public int TableStride { get; private set; }

    public int MaxPosition { get; private set; }

    public ArrayView<int> Tokens { get; private set; }

    public ArrayView<int> Positions { get; private set; }

    public ArrayView<int> WriteKv { get; private set; }

    public ArrayView<int> SampleRows { get; private set; }

    public ArrayView<int> Tables { get; private set; }

    public IlgpuStepInputs Load(ForwardBatch batch)
    {
        Batch = batch;
        var rows = batch.Rows;
        TableStride = 1;
        MaxPosition = 0;
        for (var r = 0; r < rows; r++)
        {
            TableStride = Math.Max(TableStride, batch.BlockTables[r].Length);
            MaxPosition = Math.Max(MaxPosition, batch.Positions[r]);
        }
        var samples = batch.SampleCount;
        var length = 3 * rows + samples + rows * TableStride;
        if (_host.Length < length)
        {
            _host = new int[Math.Max(length, 2 * _host.Length)];
            _device?.Dispose();
            _device = accelerator.Allocate1D<int>(_host.Length);
        }
        batch.Tokens.AsSpan(0, rows).CopyTo(_host);
        batch.Positions.AsSpan(0, rows).CopyTo(_host.AsSpan(rows));
        for (var r = 0; r < rows; r++)
        {
            _host[2 * rows + r] = batch.WriteKv[r] ? 1 : 0;
        }
        batch.SampleRows.AsSpan(0, samples).CopyTo(_host.AsSpan(3 * rows));
        var tables = 3 * rows + samples;
        for (var r = 0; r < rows; r++)
        {
            batch.BlockTables[r].CopyTo(_host.AsSpan(tables + r * TableStride));
        }
        ArrayView<int> view = _device!.View;
        view.SubView(0, length).CopyFromCPU(new ReadOnlySpan<int>(_host, 0, length));
        Tokens = view.SubView(0, rows);
        Positions = view.SubView(rows, rows);
        WriteKv = view.SubView(2 * rows, rows);
        SampleRows = view.SubView(3 * rows, Math.Max(samples, 1));
        Tables = view.SubView(tables, rows * TableStride);
        return this;
    }

    public void Dispose() => _device?.Dispose();
}
