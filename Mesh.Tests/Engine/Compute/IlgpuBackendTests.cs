using Mesh.Contracts.Compute;
using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Mesh.Engine.Compute;
using Mesh.Engine.Compute.Gpu;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Microsoft.Extensions.Logging.Testing;

namespace Mesh.Tests.Engine.Compute;

/// <summary>
/// The GPU backend's kernels, run over ILGPU's CPU accelerator (no GPU needed), against the CPU backend on the tiny
/// model: logits within a stated tolerance, and the same greedy tokens.
/// </summary>
public sealed class IlgpuBackendTests
{
    /// <summary>
    /// Largest difference allowed between the two backends' logits, relative to the largest logit of the step. Their
    /// matrix multiplies give the same bits; their dot products in attention and normalization do not (SIMD lanes
    /// folded against one thread summing in order), and the GPU kernels' exponential is their own.
    /// </summary>
    private const float RelativeTolerance = 1e-5f;

    private static readonly SamplingParameters Greedy = new(0, 1, 1);

    /// <remarks>
    /// The kernels are called on the host over the CPU accelerator's memory, with the untiled matrix multiply (ILGPU's
    /// emulated launches take seconds each on a loaded machine);
    /// <see cref="Both_gpu_matrix_multiplies_give_exactly_the_in_order_fused_sum"/> shows the two matrix multiplies give
    /// the same bits through ILGPU's runtime too, so the model's results are the same either way.
    /// </remarks>
    [Fact]
    public void The_gpu_kernels_give_the_cpu_backends_logits_within_tolerance_and_the_same_64_greedy_tokens()
    {
        var weights = SyntheticWeights.Generate(ModelConfig.ForSize("tiny")!, seed: 5);
        var prompt = Enumerable.Range(0, 70).Select(i => i * 7919 % 50000 + 10).ToArray();
        using var gpu = IlgpuComputeBackend.CpuAccelerator();
        var cpu = Generate(weights, new CpuComputeBackend(threads: 2), prompt, steps: 64);
        var ilgpu = Generate(weights, gpu, prompt, steps: 64);

        Assert.Equal(cpu.Tokens, ilgpu.Tokens);
        var worst = 0f;
        for (var step = 0; step < cpu.Logits.Count; step++)
        {
            var scale = cpu.Logits[step].Max(MathF.Abs);
            var difference = cpu.Logits[step].Zip(ilgpu.Logits[step], (a, b) => MathF.Abs(a - b)).Max();
            worst = Math.Max(worst, difference / scale);
        }
        Assert.InRange(worst, 0f, RelativeTolerance);
    }

    [Fact]
    public void The_kernels_own_exponential_is_within_a_few_units_in_the_last_place_of_MathF_Exp()
    {
        var worst = 0.0;
        for (var x = -87f; x <= 88f; x += 0.0137f)
        {
            var expected = Math.Exp(x);
            worst = Math.Max(worst, Math.Abs(IlgpuKernels.Exp(x) - expected) / expected);
        }
        Assert.InRange(worst, 0, 2.4e-7); // two units in the last place: a float's is 6e-8 to 1.2e-7 of its value
        Assert.Equal(0f, IlgpuKernels.Exp(-200f));
        Assert.Equal(float.PositiveInfinity, IlgpuKernels.Exp(200f));
        Assert.Equal(1f, IlgpuKernels.Exp(0f));
    }

    /// <summary>
    /// Compiling for CUDA needs no GPU: ILGPU's PTX backend turns every kernel into PTX here, which catches any
    /// arithmetic a kernel uses that PTX lacks (the CPU accelerator would run it regardless).
    /// </summary>
    [Theory]
    [InlineData(nameof(CudaArchitecture.SM_80))]
    [InlineData(nameof(CudaArchitecture.SM_90))]
    public void Every_kernel_compiles_to_ptx_without_a_gpu(string architecture)
    {
        var target = (CudaArchitecture)typeof(CudaArchitecture).GetField(architecture)!.GetValue(null)!;
        using var context = Context.Create(builder => builder.Cuda());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(target), target, CudaInstructionSet.ISA_80, nvvmAPI: null);
        var kernels = typeof(IlgpuKernels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetParameters() is [{ ParameterType: var index }, ..] && index.Namespace == "ILGPU" && index.Name.StartsWith("Index", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(12, kernels.Count);
        var entries = kernels.Select(EntryPointDescription.FromImplicitlyGroupedKernel)
            .Append(EntryPointDescription.FromExplicitlyGroupedKernel(typeof(IlgpuKernels).GetMethod(nameof(IlgpuKernels.MatMulTiled))!));
        foreach (var entry in entries)
        {
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            Assert.Contains(".entry", compiled.PTXAssembly, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Both matrix-multiply kernels (one thread per column, and the shared-memory tiled one a GPU uses from 32 rows)
    /// give exactly the in-order fused sum, which is what the CPU backend's packed GEMM gives: a row's product does not
    /// depend on which kernel its batch got. Both run through ILGPU's CPU runtime (emulated threads, shared memory and
    /// barriers), and the first also as the other tests run it, called on the host.
    /// </summary>
    [Theory]
    [InlineData(1, 37, 100)]     // one row in a tile, a partial tile of columns, inputs not a multiple of 16
    [InlineData(70, 64, 200)]    // two row tiles, four column tiles, the last partial
    [InlineData(130, 33, 65)]    // three row tiles, a column tile of one output
    public void Both_gpu_matrix_multiplies_give_exactly_the_in_order_fused_sum(int rows, int inputs, int outputs)
    {
        var x = ReferenceGemm.Values(rows * inputs, 1);
        var w = ReferenceGemm.Values(outputs * inputs, 2);
        var expected = ReferenceGemm.InOrderFusedSum(x, w, rows, inputs, outputs);

        using var hostLaunched = IlgpuComputeBackend.CpuAccelerator();
        using var untiled = IlgpuComputeBackend.CpuRuntime(tiledFromRows: int.MaxValue);
        using var tiled = IlgpuComputeBackend.CpuRuntime(tiledFromRows: 1);
        foreach (var compute in new[] { hostLaunched, untiled, tiled })
        {
            using var input = compute.Upload(x);
            using var output = compute.Allocate(rows * outputs);
            compute.MatMul(input, rows, compute.Prepare(w, outputs, inputs), output);
            var y = new float[rows * outputs];
            compute.Download(output, y);
            Assert.Equal(expected, y);
        }
    }

    [Fact]
    public void Cuda_without_a_device_fails_at_start_saying_why_and_auto_falls_back_to_the_cpu_with_a_log_line()
    {
        var logger = new FakeLogger();
        using var chosen = ComputeBackends.Create(ComputeBackendNames.Auto, threads: 1, logger);
        if (chosen is IlgpuComputeBackend gpu)
        {
            // A machine with a GPU: auto takes it, and cuda does too.
            Assert.Equal(ILGPU.Runtime.AcceleratorType.Cuda, gpu.AcceleratorType);
            using var cuda = ComputeBackends.Create(ComputeBackendNames.Cuda, threads: 1, logger);
            Assert.IsType<IlgpuComputeBackend>(cuda);
            return;
        }
        Assert.IsType<CpuComputeBackend>(chosen);
        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Contains("computing on the CPU", line.Message, StringComparison.Ordinal);
        Assert.Contains("No CUDA device", line.Message, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => ComputeBackends.Create(ComputeBackendNames.Cuda, threads: 1, logger));
        Assert.Contains("Engine:Backend is 'cuda'", error.Message, StringComparison.Ordinal);
        Assert.Contains("No CUDA device", error.Message, StringComparison.Ordinal);
    }

    private static (List<int> Tokens, List<float[]> Logits) Generate(ModelWeights weights, IComputeBackend compute, int[] prompt, int steps)
    {
        var runner = new TransformerRunner(weights, compute, new KvCacheStorage(compute, weights.Config, capacityBlocks: 16, 16), maxRows: 128, maxSampleRows: 4);
        int[] table = [.. Enumerable.Range(0, 16)];
        var batch = new ForwardBatch(128);
        foreach (var (p, token) in prompt.Index())
        {
            batch.AddRow(token, p, writeKv: true, table, isDecode: false);
        }
        batch.SampleLastRow(Greedy);
        var sampled = new int[1];
        runner.Execute(batch, sampled);
        var tokens = new List<int> { sampled[0] };
        var logits = new List<float[]> { runner.LastLogits(0).ToArray() };
        for (var step = 1; step < steps; step++)
        {
            batch.Clear();
            batch.AddRow(sampled[0], prompt.Length + step - 1, writeKv: true, table, isDecode: true);
            batch.SampleLastRow(Greedy);
            runner.Execute(batch, sampled);
            tokens.Add(sampled[0]);
            logits.Add(runner.LastLogits(0).ToArray());
        }
        return (tokens, logits);
    }
}
