using System.Diagnostics;
using Mesh.Contracts.Tokenization;
using Mesh.Engine;
using Mesh.Engine.Compute;
using Mesh.Engine.Compute.Gpu;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Bench.Engine;

/// <summary>
/// The engine's speed on this machine, in one run so the ratios are side by side: FMA peak, GEMM GFLOP/s,
/// prefill and decode throughput at batch 1 and 8, and time to first token cold and fully cached.
/// </summary>
public static class EngineBenchmark
{
    private const int BlockSize = 16;

    public static async Task<int> RunAsync(string size, string backend)
    {
        var config = ModelConfig.ForSize(size) ?? throw new ArgumentException($"Unknown size '{size}'.");
        var threads = Environment.ProcessorCount;
        var weights = SyntheticWeights.Generate(config, 1);
        using var compute = ComputeBackends.Create(backend, threads, NullLogger.Instance);
        Console.WriteLine($"Engine benchmark: model '{size}' ({config.ParameterCount / 1e6:F1}M parameters) on {compute.Name}, {threads} host threads, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}");
        var sections = new List<Report>();

        sections.Add(MeasureGemm(config, compute, threads, size));

        var throughput = new Report("Prefill and decode throughput", "phase", "batch", "tokens/s", "ms/step");
        sections.Add(throughput);
        var storage = new KvCacheStorage(compute, config, 8 * config.ContextWindow / BlockSize + 64, BlockSize);
        var runner = new TransformerRunner(weights, compute, storage, maxRows: 2048, maxSampleRows: 16);
        var stepMs = new Dictionary<(string, int), double>();
        foreach (var batch in new[] { 1, 8 })
        {
            var prompt = 256;
            var (prefillTps, prefillMs) = Prefill(runner, batch, prompt, out var tables);
            throughput.Row("prefill (256-token prompts)", batch, prefillTps, prefillMs);
            var (decodeTps, decodeMs) = Decode(runner, batch, prompt, tables, windows: 6);
            throughput.Row("decode (at position 256)", batch, decodeTps, decodeMs);
            stepMs[("prefill", batch)] = prefillMs / (batch * prompt);
            stepMs[("decode", batch)] = decodeMs;
        }
        var decodeRatio = 8 * 1000 / stepMs[("decode", 8)] / (1000 / stepMs[("decode", 1)]);
        throughput.Note($"Decode throughput at batch 8 is {decodeRatio:F1}x batch 1 (target: at least 3x).");
        var perSequence = (stepMs[("decode", 8)] - stepMs[("decode", 1)]) / 7;
        throughput.Note($"Cost model for the simulated backend: prefill {stepMs[("prefill", 1)]:F3} ms/token, decode {stepMs[("decode", 1)] - perSequence:F2} ms/step + {perSequence:F2} ms/sequence.");

        var ttft = new Report("Time to first token, 1,024-token prompt, through the scheduler", "cache", "TTFT ms", "cached tokens");
        sections.Add(ttft);
        var (cold, warm, cached) = await TimeToFirstTokenAsync(weights, compute, size);
        ttft.Row("cold", cold, 0);
        ttft.Row("fully cached", warm, cached);
        ttft.Note($"Cached is {cold / warm:F0}x faster (target: at least 20x).");

        Directory.CreateDirectory("bench-results");
        var path = Path.Combine("bench-results", $"engine-{size}-{GemmPathResult.PathName(compute)}.md");
        await File.WriteAllTextAsync(path, string.Join(Environment.NewLine, sections.Select(s => s.ToMarkdown())));
        Console.WriteLine($"Saved {path}");
        return 0;
    }

    /// <summary>The GEMM table alone, for iterating on the kernels (nothing saved).</summary>
    public static int RunGemmOnly(string size, string backend)
    {
        var config = ModelConfig.ForSize(size) ?? throw new ArgumentException($"Unknown size '{size}'.");
        var threads = Environment.ProcessorCount;
        using var compute = ComputeBackends.Create(backend, threads, NullLogger.Instance);
        MeasureGemm(config, compute, threads, size: null);
        return 0;
    }

    /// <summary>
    /// GEMM on the prefill shapes against the FMA peak. With <paramref name="size"/>, also saves the figures of
    /// this vector path and the table of every path measured so far (runs with and without
    /// <c>DOTNET_EnableAVX512=0</c> fill it in turn).
    /// </summary>
    private static Report MeasureGemm(ModelConfig config, IComputeBackend compute, int threads, string? size)
    {
        Console.WriteLine($"Measuring the FMA peak of {compute.Name}...");
        var gemm = new Report($"Matrix multiplication against the FMA peak ({compute.Name})", "shape (rows x in -> out)", "GFLOP/s", "% of peak");
        double peak;
        if (compute is IlgpuComputeBackend gpu)
        {
            peak = gpu.MeasureFmaPeakGflops();
            gemm.Note($"FMA peak (every multiprocessor full of threads running eight independent FMA chains): {peak:F1} GFLOP/s.");
        }
        else
        {
            peak = FmaPeak.MeasureGflops(threads, TimeSpan.FromSeconds(1));
            gemm.Note($"FMA peak (all {threads} cores, register-only FMA chains, widest vectors this process runs): {peak:F1} GFLOP/s.");
        }
        var shapes = new List<GemmShapeResult>();
        foreach (var (rows, k, n, name) in new[]
        {
            (1024, config.Dim, config.Dim + 2 * config.KvDim, "qkv"),
            (1024, config.Dim, 2 * config.HiddenDim, "gate/up"),
            (1024, config.HiddenDim, config.Dim, "down"),
            (8, config.Dim, config.VocabSize, "classifier, batch 8"),
        })
        {
            var gflops = MeasureMatMul(compute, rows, k, n);
            var shape = $"{name}: {rows} x {k} -> {n}";
            gemm.Row(shape, gflops, 100 * gflops / peak);
            shapes.Add(new GemmShapeResult(shape, gflops, 100 * gflops / peak));
        }
        if (size is not null)
        {
            var result = new GemmPathResult(GemmPathResult.PathName(compute), compute.Name, peak, shapes);
            Console.WriteLine($"Saved {result.Save(size)}");
        }
        return gemm;
    }

    private static double MeasureMatMul(IComputeBackend compute, int rows, int k, int n)
    {
        using var x = compute.Upload(Filled(rows * k));
        var w = compute.Prepare(Filled(n * k), n, k);
        using var y = compute.Allocate(rows * n);
        var last = new float[1];
        compute.MatMul(x, rows, w, y);
        compute.Download(y, last);
        // The best of five windows, as the peak is the best of its rounds: other processes on a shared machine
        // only ever slow a window down.
        var best = 0.0;
        for (var window = 0; window < 5; window++)
        {
            var watch = Stopwatch.StartNew();
            var repeats = 0;
            while (watch.Elapsed < TimeSpan.FromMilliseconds(250))
            {
                compute.MatMul(x, rows, w, y);
                repeats++;
                if (repeats % 16 == 0)
                {
                    compute.Download(y, last); // waits for a device's queue, so the window counts finished work
                }
            }
            compute.Download(y, last);
            best = Math.Max(best, 2.0 * rows * k * n * repeats / watch.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    private static float[] Filled(int length)
    {
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (i % 13 - 6) * 0.01f;
        }
        return values;
    }

    private static (double TokensPerSecond, double StepMs) Prefill(TransformerRunner runner, int batch, int prompt, out int[][] tables)
    {
        tables = new int[batch][];
        var blocksPer = (prompt + 64) / BlockSize + 1;
        for (var s = 0; s < batch; s++)
        {
            tables[s] = [.. Enumerable.Range(s * blocksPer, blocksPer)];
        }
        var forward = new ForwardBatch(2048);
        var sampled = new int[batch];
        var best = double.MaxValue;
        for (var round = 0; round < 8; round++)
        {
            forward.Clear();
            for (var s = 0; s < batch; s++)
            {
                for (var p = 0; p < prompt; p++)
                {
                    forward.AddRow(1000 + (p * 31 + s * 7) % 5000, p, true, tables[s], isDecode: false);
                }
                forward.SampleLastRow(new SamplingParameters(0, 1, 1));
            }
            var watch = Stopwatch.StartNew();
            runner.Execute(forward, sampled);
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        return (batch * prompt * 1000 / best, best);
    }

    /// <summary>
    /// Decode steps from position <paramref name="start"/>: four to warm up, then windows of eight, and the best
    /// window's mean (as for the peak, other processes on a shared machine only ever slow a window down).
    /// </summary>
    private static (double TokensPerSecond, double StepMs) Decode(TransformerRunner runner, int batch, int start, int[][] tables, int windows)
    {
        const int Warmup = 4;
        const int Window = 8;
        var forward = new ForwardBatch(2048);
        var sampled = new int[batch];
        var watch = new Stopwatch();
        var best = double.MaxValue;
        for (var step = 0; step < Warmup + windows * Window; step++)
        {
            if (step >= Warmup && (step - Warmup) % Window == 0)
            {
                if (step > Warmup)
                {
                    best = Math.Min(best, watch.Elapsed.TotalMilliseconds / Window);
                }
                watch.Restart();
            }
            forward.Clear();
            for (var s = 0; s < batch; s++)
            {
                forward.AddRow(1000 + step, start + step, true, tables[s], isDecode: true);
                forward.SampleLastRow(new SamplingParameters(0, 1, 1));
            }
            runner.Execute(forward, sampled);
        }
        best = Math.Min(best, watch.Elapsed.TotalMilliseconds / Window);
        return (batch * 1000 / best, best);
    }

    private static async Task<(double ColdMs, double WarmMs, int Cached)> TimeToFirstTokenAsync(ModelWeights weights, IComputeBackend compute, string size)
    {
        var options = new EngineOptions { Model = size };
        var capacity = 4 * weights.Config.ContextWindow / BlockSize;
        var blocks = new KvBlockManager(capacity, BlockSize);
        var runner = new TransformerRunner(weights, compute, new KvCacheStorage(compute, weights.Config, capacity, BlockSize), options.MaxBatchTokens, 16);
        var statistics = new EngineStatistics();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var info = new ModelInfo("mesh-" + size, weights.Config, weights.Source, true, false, runner.Description);
        using var scheduler = new EngineScheduler(Options.Create(options), blocks, runner,
            new EngineMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), statistics), statistics, info,
            TimeProvider.System, NullLogger<EngineScheduler>.Instance);
        scheduler.Start();
        var prompt = Enumerable.Range(0, 1024).Select(i => 500 + i * 17 % 40000).ToArray();

        async Task<(double Ms, int Cached)> Once(long id)
        {
            var sequence = new Sequence(id, prompt, 1, new SamplingParameters(0, 1, 1), BlockSize, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            if (!scheduler.TryEnqueue(sequence))
            {
                throw new InvalidOperationException("queue full");
            }
            await sequence.Output.WaitToReadAsync();
            var ms = watch.Elapsed.TotalMilliseconds;
            while (await sequence.Output.WaitToReadAsync())
            {
                while (sequence.Output.TryRead(out _))
                {
                }
            }
            return (ms, sequence.CachedPromptTokens);
        }

        await Once(0); // warm the JIT on another prompt's blocks
        await scheduler.ResetCacheAsync();
        var cold = await Once(1);
        var warm = double.MaxValue;
        var cached = 0;
        for (var i = 0; i < 5; i++)
        {
            var (ms, tokens) = await Once(2 + i);
            warm = Math.Min(warm, ms);
            cached = tokens;
        }
        scheduler.Stop();
        return (cold.Ms, warm, cached);
    }
}
