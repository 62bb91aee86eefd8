using Mesh.Engine.Compute;
using Mesh.Engine.Compute.Gpu;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Microsoft.Extensions.Logging.Testing;

namespace Mesh.Tests.Engine.Compute;

/// <summary>
/// The GPU backend's kernels, run on ILGPU's CPU accelerator (no GPU needed), against the CPU backend on the tiny
/// model: logits within a stated tolerance, and the same greedy tokens.
/// </summary>
public sealed class IlgpuBackendTests
{
    /// <summary>
    /// Largest difference allowed between the two backends' logits, relative to the largest logit of the step. The two
    /// sum in different orders (SIMD lanes against one thread per output) and the GPU kernels' exponential is their own.
    /// </summary>
    private const float RelativeTolerance = 1e-5f;

    private static readonly SamplingParameters Greedy = new(0, 1, 1);

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

    [Fact]
    public void Cuda_without_a_device_fails_at_start_saying_why_and_auto_falls_back_to_the_cpu_with_a_log_line()
    {
        var logger = new FakeLogger();
        using var chosen = ComputeBackends.Create(ComputeBackends.Auto, threads: 1, logger);
        if (chosen is IlgpuComputeBackend gpu)
        {
            // A machine with a GPU: auto takes it, and cuda does too.
            Assert.Equal(ILGPU.Runtime.AcceleratorType.Cuda, gpu.AcceleratorType);
            using var cuda = ComputeBackends.Create(ComputeBackends.Cuda, threads: 1, logger);
            Assert.IsType<IlgpuComputeBackend>(cuda);
            return;
        }
        Assert.IsType<CpuComputeBackend>(chosen);
        var line = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Contains("computing on the CPU", line.Message, StringComparison.Ordinal);
        Assert.Contains("No CUDA device", line.Message, StringComparison.Ordinal);

        var error = Assert.Throws<InvalidOperationException>(() => ComputeBackends.Create(ComputeBackends.Cuda, threads: 1, logger));
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
