using System.Diagnostics.CodeAnalysis;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>
/// The GPU backend: weights, activations and the paged KV cache in device memory, every kernel of the forward pass
/// compiled by ILGPU. Per step the host copies in the batch's token ids, positions and block tables, and copies out
/// the sampled rows' logits; sampling stays on the host. The same kernels run over ILGPU's CPU accelerator (see
/// <see cref="CpuAccelerator"/> and <see cref="CpuRuntime"/>), which is how they are tested on machines without a GPU.
/// </summary>
public sealed class IlgpuComputeBackend : IComputeBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly IlgpuStepInputs _step;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _embed;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulShape> _matMul;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulShape> _matMulTiled;
    private readonly int _tiledFromRows;
    private readonly bool _hostLaunches;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> _rmsNorm;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, RotaryShape> _rotate;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, KvShape> _store;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, AttentionShape> _scores;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, AttentionShape> _softmax;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, AttentionShape> _values;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<float>, int> _swiGlu;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>> _add;
    private readonly Action<Index2D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _gather;
    private MemoryBuffer1D<float, Stride1D.Dense>? _scoreScratch;

    /// <param name="tiledFromRows">
    /// Products of at least this many rows use the shared-memory tiled kernel; fewer (decode steps) the one that gives
    /// each thread a column. Both compute the same bits, so a row's result does not depend on which ran.
    /// </param>
    /// <param name="hostLaunches">Run the implicitly grouped kernels through <see cref="HostLaunches"/> (ILGPU's CPU accelerator only).</param>
    private IlgpuComputeBackend(Context context, Accelerator accelerator, int tiledFromRows, bool hostLaunches = false)
    {
        _context = context;
        _accelerator = accelerator;
        _hostLaunches = hostLaunches;
        _tiledFromRows = tiledFromRows;
        _step = new IlgpuStepInputs(accelerator);
        Load(ref _embed, IlgpuKernels.Embed);
        Load(ref _matMul, IlgpuKernels.MatMul);
        _matMulTiled = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, MatMulShape>(IlgpuKernels.MatMulTiled);
        Load(ref _rmsNorm, IlgpuKernels.RmsNorm);
        Load(ref _rotate, IlgpuKernels.Rotate);
        Load(ref _store, IlgpuKernels.StoreKeysAndValues);
        Load(ref _scores, IlgpuKernels.AttentionScores);
        Load(ref _softmax, IlgpuKernels.Softmax);
        Load(ref _values, IlgpuKernels.AttentionValues);
        Load(ref _swiGlu, IlgpuKernels.SwiGlu);
        Load(ref _add, IlgpuKernels.Add);
        Load(ref _gather, IlgpuKernels.Gather);
    }

    /// <summary>The backend on the first CUDA device this process sees (<c>CUDA_VISIBLE_DEVICES</c> picks which).</summary>
    /// <exception cref="InvalidOperationException">No CUDA driver or device is present.</exception>
    public static IlgpuComputeBackend Cuda()
    {
        var context = Context.Create(builder => builder.Cuda());
        try
        {
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                throw new InvalidOperationException("No CUDA device was found: the NVIDIA driver (libcuda) is missing, or CUDA_VISIBLE_DEVICES hides every GPU.");
            }
            return new IlgpuComputeBackend(context, devices[0].CreateAccelerator(context), tiledFromRows: 32);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The same kernels over memory of ILGPU's CPU accelerator, for checking them without a GPU: each kernel's method is
    /// called for every index on the host (<see cref="HostLaunches"/>), and matrix multiplies take the untiled kernel.
    /// </summary>
    public static IlgpuComputeBackend CpuAccelerator()
    {
        var context = Context.Create(builder => builder.CPU());
        return new IlgpuComputeBackend(context, context.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel), int.MaxValue, hostLaunches: true);
    }

    /// <summary>
    /// Every kernel launched by ILGPU's CPU runtime, which emulates GPU threads, groups, shared memory and barriers, on a
    /// device with groups of 256 threads; matrix multiplies of at least <paramref name="tiledFromRows"/> rows take the
    /// tiled kernel. Each launch costs milliseconds (seconds on a loaded machine), so this is for a few launches.
    /// </summary>
    public static IlgpuComputeBackend CpuRuntime(int tiledFromRows)
    {
        var context = Context.Create(builder => builder.CPU());
        var device = new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: Environment.ProcessorCount);
        return new IlgpuComputeBackend(context, device.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel), tiledFromRows);
    }

    public string Name => _accelerator.AcceleratorType == AcceleratorType.CPU
        ? $"ilgpu-cpu ({_accelerator.Name})"
        : $"ilgpu-{_accelerator.AcceleratorType.ToString().ToLowerInvariant()} ({_accelerator.Name}, {_accelerator.MemorySize / 1048576} MiB)";

    public AcceleratorType AcceleratorType => _accelerator.AcceleratorType;

    public IWeightMatrix Prepare(float[] rowMajor, int outputs, int inputs)
    {
        if (rowMajor.LongLength < (long)outputs * inputs)
        {
            throw new ArgumentException($"A [{outputs}, {inputs}] matrix needs {(long)outputs * inputs} values; got {rowMajor.LongLength}.", nameof(rowMajor));
        }
        // Transposed on the host once.
        var transposed = new float[(long)outputs * inputs];
        Parallel.For(0, outputs, j =>
        {
            for (var p = 0; p < inputs; p++)
            {
                transposed[(long)p * outputs + j] = rowMajor[(long)j * inputs + p];
            }
        });
        return new IlgpuMatrix(_accelerator.Allocate1D(transposed), outputs, inputs);
    }

    public IComputeBuffer Upload(float[] values) => new IlgpuBuffer(_accelerator.Allocate1D(values));

    public IComputeBuffer Allocate(long length)
    {
        var memory = _accelerator.Allocate1D<float>(Math.Max(length, 1));
        memory.MemSetToZero();
        return new IlgpuBuffer(memory);
    }

    public void Download(IComputeBuffer source, Span<float> destination)
    {
        Device(source).SubView(0, destination.Length).CopyToCPU(destination);
        _accelerator.Synchronize();
    }

    public IStepInputs BeginStep(ForwardBatch batch) => _step.Load(batch);

    public void Embed(IStepInputs step, IComputeBuffer table, int dim, IComputeBuffer x)
    {
        var inputs = Step(step);
        _embed(new Index2D(dim, inputs.Batch.Rows), Device(table), inputs.Tokens, Device(x), dim);
    }

    public void MatMul(IComputeBuffer x, int rows, IWeightMatrix w, IComputeBuffer y)
    {
        var matrix = w as IlgpuMatrix ?? throw new ArgumentException($"{w.GetType().Name} is not a GPU weight matrix.", nameof(w));
        var shape = new MatMulShape(rows, matrix.Inputs, matrix.Outputs);
        if (rows >= _tiledFromRows)
        {
            var tiles = new Index2D(
                (matrix.Outputs + IlgpuKernels.Tile - 1) / IlgpuKernels.Tile, (rows + IlgpuKernels.Tile - 1) / IlgpuKernels.Tile);
            _matMulTiled(new KernelConfig(tiles, new Index2D(IlgpuKernels.TileThreads, IlgpuKernels.TileThreads)), Device(x), matrix.View, Device(y), shape);
            return;
        }
        var groups = (rows + IlgpuKernels.RowsPerThread - 1) / IlgpuKernels.RowsPerThread;
        _matMul(new Index2D(matrix.Outputs, groups), Device(x), matrix.View, Device(y), shape);
    }

    public void RmsNorm(IComputeBuffer x, IComputeBuffer weight, IComputeBuffer y, int rows, int dim, float epsilon) =>
        _rmsNorm(rows, Device(x), Device(weight), Device(y), dim, epsilon);

    public void ApplyRotary(IStepInputs step, IComputeBuffer values, int rowStride, int offset, int heads, int headSize, IComputeBuffer cos, IComputeBuffer sin)
    {
        var inputs = Step(step);
        _rotate(new Index2D(heads * headSize / 2, inputs.Batch.Rows), Device(values), inputs.Positions, Device(cos), Device(sin),
            new RotaryShape(rowStride, offset, headSize));
    }

    public void StoreKeysAndValues(IStepInputs step, IComputeBuffer qkv, int rowStride, int keyOffset, int valueOffset, KvLayer layer)
    {
        var inputs = Step(step);
        _store(new Index2D(layer.KvDim, inputs.Batch.Rows), Device(qkv), inputs.Positions, inputs.WriteKv, inputs.Tables,
            Device(layer.Keys), Device(layer.Values),
            new KvShape(rowStride, keyOffset, valueOffset, inputs.TableStride, layer.BlockSize, layer.KvDim));
    }

    public void Attention(in AttentionBatch batch)
    {
        var inputs = Step(batch.Step);
        var rows = inputs.Batch.Rows;
        var queryHeads = rows * batch.Heads;
        var scoreStride = inputs.MaxPosition + 1L;
        var shape = new AttentionShape(
            batch.Heads, batch.HeadSize, batch.Heads / batch.KvHeads, batch.QueryStride, inputs.TableStride,
            batch.Cache.BlockSize, batch.Cache.KvDim, scoreStride, 1f / MathF.Sqrt(batch.HeadSize));
        var scores = Scratch(queryHeads * scoreStride);
        _scores(new Index2D((int)scoreStride, queryHeads), Device(batch.Queries), inputs.Positions, inputs.Tables, Device(batch.Cache.Keys), scores, shape);
        _softmax(queryHeads, scores, inputs.Positions, shape);
        _values(new Index2D(batch.HeadSize, queryHeads), scores, inputs.Positions, inputs.Tables, Device(batch.Cache.Values), Device(batch.Output), shape);
    }

    public void SwiGlu(IComputeBuffer gateUp, int rows, int hidden, IComputeBuffer y) =>
        _swiGlu(new Index2D(hidden, rows), Device(gateUp), Device(y), hidden);

    public void Add(IComputeBuffer x, IComputeBuffer delta, int length) =>
        _add(length, Device(x).SubView(0, length), Device(delta).SubView(0, length));

    public void GatherSampledRows(IStepInputs step, int first, int count, IComputeBuffer x, int dim, IComputeBuffer y)
    {
        var inputs = Step(step);
        _gather(new Index2D(dim, count), Device(x), inputs.SampleRows, Device(y), first, dim);
    }

    /// <summary>
    /// The device's measured single-precision FMA rate: enough threads to fill every multiprocessor, each running
    /// eight independent FMA chains; the best of several launches.
    /// </summary>
    internal double MeasureFmaPeakGflops(int rounds = 5)
    {
        var kernel = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int>(IlgpuKernels.FmaChains);
        var threads = Math.Max(1, _accelerator.NumMultiprocessors * _accelerator.MaxNumThreadsPerMultiprocessor * 4);
        var iterations = _accelerator.AcceleratorType == AcceleratorType.CPU ? 256 : 16_384;
        using var sink = _accelerator.Allocate1D<float>(threads);
        kernel(threads, sink.View, iterations);
        _accelerator.Synchronize();
        var best = 0.0;
        for (var round = 0; round < rounds; round++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            kernel(threads, sink.View, iterations);
            _accelerator.Synchronize();
            var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            best = Math.Max(best, 2.0 * 8 * threads * (double)iterations / seconds / 1e9);
        }
        return best;
    }

    public void Dispose()
    {
        _scoreScratch?.Dispose();
        _step.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private void Load<A, B>([NotNull] ref Action<Index1D, A, B>? field, Action<Index1D, A, B> kernel)
        where A : struct where B : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C>([NotNull] ref Action<Index1D, A, B, C>? field, Action<Index1D, A, B, C> kernel)
        where A : struct where B : struct where C : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C, D, E>([NotNull] ref Action<Index1D, A, B, C, D, E>? field, Action<Index1D, A, B, C, D, E> kernel)
        where A : struct where B : struct where C : struct where D : struct where E : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C>([NotNull] ref Action<Index2D, A, B, C>? field, Action<Index2D, A, B, C> kernel)
        where A : struct where B : struct where C : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C, D>([NotNull] ref Action<Index2D, A, B, C, D>? field, Action<Index2D, A, B, C, D> kernel)
        where A : struct where B : struct where C : struct where D : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C, D, E>([NotNull] ref Action<Index2D, A, B, C, D, E>? field, Action<Index2D, A, B, C, D, E> kernel)
        where A : struct where B : struct where C : struct where D : struct where E : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C, D, E, F>([NotNull] ref Action<Index2D, A, B, C, D, E, F>? field, Action<Index2D, A, B, C, D, E, F> kernel)
        where A : struct where B : struct where C : struct where D : struct where E : struct where F : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    private void Load<A, B, C, D, E, F, G>([NotNull] ref Action<Index2D, A, B, C, D, E, F, G>? field, Action<Index2D, A, B, C, D, E, F, G> kernel)
        where A : struct where B : struct where C : struct where D : struct where E : struct where F : struct where G : struct =>
        field = _hostLaunches ? HostLaunches.Of(kernel) : _accelerator.LoadAutoGroupedStreamKernel(kernel);

    /// <summary>The attention scores of a step, <c>[rows · heads, positions]</c>; grown by doubling, never shrunk.</summary>
    private ArrayView<float> Scratch(long length)
    {
        if (_scoreScratch is null || _scoreScratch.Length < length)
        {
            _accelerator.Synchronize();
            _scoreScratch?.Dispose();
            _scoreScratch = _accelerator.Allocate1D<float>(Math.Max(length, 2 * (_scoreScratch?.Length ?? 0)));
        }
        return _scoreScratch.View;
    }

    private static ArrayView<float> Device(IComputeBuffer buffer) =>
        (buffer as IlgpuBuffer ?? throw new ArgumentException($"{buffer.GetType().Name} is not a GPU buffer.", nameof(buffer))).View;

    private IlgpuStepInputs Step(IStepInputs step) =>
        ReferenceEquals(step, _step) ? _step : throw new ArgumentException("The step was begun on another backend.", nameof(step));
}
