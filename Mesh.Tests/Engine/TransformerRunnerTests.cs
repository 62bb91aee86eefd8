using Mesh.Contracts.Compute;
using Mesh.Engine.Compute;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Engine;

/// <summary>The forward pass gives a row the same result alone, batched, chunked or on top of cached blocks, on either backend: KV reuse is exact.</summary>
public sealed class TransformerRunnerTests
{
    private const int BlockSize = 16;
    private static readonly ModelWeights Weights = SyntheticWeights.Generate(ModelConfig.ForSize("tiny")!, seed: 99);
    private static readonly SamplingParameters Greedy = new(0, 1, 1);

    private static int[] Tokens(int count, int salt) => [.. Enumerable.Range(0, count).Select(i => (i * 7919 + salt * 104729) % 50000 + 10)];

    /// <summary>A runner on the CPU backend, or on the GPU backend's kernels run by ILGPU's CPU accelerator: both keep reuse exact.</summary>
    private static TransformerRunner NewRunner(string backend)
    {
        var compute = ComputeBackends.Create(backend, threads: 0, NullLogger.Instance);
        return new(Weights, compute, new KvCacheStorage(compute, Weights.Config, capacityBlocks: 32, BlockSize), maxRows: 256, maxSampleRows: 8);
    }

    /// <summary>Runs positions [from, to) of a sequence and returns the logits of its last row when it reaches the end.</summary>
    private static float[] Run(TransformerRunner runner, params (int[] Tokens, int[] Table, int From, int To, int CachedUpTo)[] parts)
    {
        var batch = new ForwardBatch(256);
        foreach (var (tokens, table, from, to, cachedUpTo) in parts)
        {
            for (var p = from; p < to; p++)
            {
                batch.AddRow(tokens[p], p, writeKv: p >= cachedUpTo, table, isDecode: false);
            }
            batch.SampleLastRow(Greedy);
        }
        var sampled = new int[batch.SampleCount];
        runner.Execute(batch, sampled);
        return runner.LastLogits(0).ToArray();
    }

    [Theory]
    [InlineData(ComputeBackendNames.Cpu)]
    [InlineData(ComputeBackendNames.IlgpuCpu)]
    public void A_prompt_gives_bit_identical_logits_alone_or_chunked_beside_another_sequence(string backend)
    {
        var a = Tokens(40, 1);
        var b = Tokens(30, 2);
        int[] tableA = [0, 1, 2];
        int[] tableB = [3, 4];

        var alone = Run(NewRunner(backend), (a, tableA, 0, 40, 0));

        var runner = NewRunner(backend);
        Run(runner, (a, tableA, 0, 17, 0), (b, tableB, 0, 30, 0));
        var chunked = Run(runner, (a, tableA, 17, 40, 0));

        Assert.Equal(alone, chunked);
    }

    [Theory]
    [InlineData(ComputeBackendNames.Cpu)]
    [InlineData(ComputeBackendNames.IlgpuCpu)]
    public void A_prompt_on_top_of_cached_blocks_gives_the_logits_of_a_cold_run(string backend)
    {
        var a = Tokens(40, 3);
        var shared = a[..32];
        var second = (int[])[.. shared, .. Tokens(10, 4)];

        var cold = Run(NewRunner(backend), (second, [5, 6, 7], 0, second.Length, 0));

        var runner = NewRunner(backend);
        Run(runner, (a, [0, 1, 2], 0, 40, 0));
        // Blocks 0 and 1 hold the 32 shared tokens; only the last 10 are computed.
        var reused = Run(runner, (second, [0, 1, 9], 32, second.Length, 0));

        Assert.Equal(cold, reused);
    }

    [Theory]
    [InlineData(ComputeBackendNames.Cpu)]
    [InlineData(ComputeBackendNames.IlgpuCpu)]
    public void A_prompt_served_entirely_from_cache_recomputes_only_its_last_token_and_matches_a_cold_run(string backend)
    {
        var a = Tokens(32, 5);
        var runner = NewRunner(backend);
        var cold = Run(runner, (a, [0, 1], 0, 32, 0));
        var cached = Run(runner, (a, [0, 1], 31, 32, 32));
        Assert.Equal(cold, cached);
    }

    [Fact]
    public void A_checkpoint_written_and_read_back_holds_the_same_weights()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mesh-{Guid.NewGuid():N}.bin");
        try
        {
            Llama2Checkpoint.Save(Weights, path);
            var loaded = Llama2Checkpoint.Load(path);

            Assert.Equal(Weights.Config, loaded.Config);
            Assert.True(loaded.SharesClassifier);
            Assert.Equal(Weights.TokenEmbedding, loaded.TokenEmbedding);
            for (var l = 0; l < Weights.Layers.Length; l++)
            {
                Assert.Equal(Weights.Layers[l].QueryKeyValue, loaded.Layers[l].QueryKeyValue);
                Assert.Equal(Weights.Layers[l].GateUp, loaded.Layers[l].GateUp);
                Assert.Equal(Weights.Layers[l].Down, loaded.Layers[l].Down);
                Assert.Equal(Weights.Layers[l].AttentionOutput, loaded.Layers[l].AttentionOutput);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_with_the_size_it_should_have()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mesh-{Guid.NewGuid():N}.bin");
        try
        {
            Llama2Checkpoint.Save(Weights, path);
            using (var stream = File.OpenWrite(path))
            {
                stream.SetLength(stream.Length - 4);
            }
            var error = Assert.Throws<InvalidDataException>(() => Llama2Checkpoint.Load(path));
            Assert.Contains("bytes", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
