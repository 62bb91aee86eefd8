using Mesh.Contracts.Tokenization;
using Mesh.Engine.Compute;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;

namespace Mesh.Engine.Model;

/// <summary>Builds the engine's model runner from its options: a checkpoint, synthetic weights of a named size, or the simulated backend.</summary>
public static class EngineModelLoader
{
    public sealed record LoadedModel(ModelInfo Info, IModelRunner Runner, KvBlockManager Blocks);

    public static LoadedModel Load(EngineOptions options, MeshTokenizer tokenizer, ILogger logger)
    {
        var weights = options.Simulated ? null : LoadWeights(options, logger);
        var config = weights?.Config ?? ShapeOf(options);
        if (weights is null && options.Simulation.ContextWindow > 0)
        {
            config = config with { ContextWindow = options.Simulation.ContextWindow };
        }
        var capacity = options.KvCapacityBlocks > 0 ? options.KvCapacityBlocks : 4 * config.ContextWindow / options.BlockSize;
        var blocks = new KvBlockManager(capacity, options.BlockSize);
        IModelRunner runner;
        if (weights is null)
        {
            runner = new SimulatedRunner(options.Simulation, tokenizer);
        }
        else
        {
            var compute = ComputeBackends.Create(options.Backend, options.Threads, logger);
            var storage = new KvCacheStorage(compute, config, capacity, options.BlockSize);
            var megabytes = storage.Bytes / 1048576.0;
            logger.LogInformation("Computing on {Backend}; KV cache: {Blocks} blocks of {BlockSize} tokens ({Megabytes:F0} MiB).",
                compute.Name, capacity, options.BlockSize, megabytes);
            runner = new TransformerRunner(weights, compute, storage,
                options.MaxBatchTokens, Math.Min(options.MaxBatchTokens, Math.Max(8, options.MaxRunningSequences)));
        }
        var info = new ModelInfo(
            options.ResolvedServedModelName,
            config,
            weights?.Source ?? "none (simulated)",
            IsSynthetic: weights?.IsSynthetic ?? true,
            IsSimulated: options.Simulated,
            runner.Description);
        return new LoadedModel(info, runner, blocks);
    }

    private static ModelWeights LoadWeights(EngineOptions options, ILogger logger)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var weights = string.IsNullOrWhiteSpace(options.Checkpoint)
            ? SyntheticWeights.Generate(ShapeOf(options), options.WeightSeed)
            : Llama2Checkpoint.Load(options.Checkpoint);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var parameters = weights.Config.ParameterCount;
        logger.LogInformation("Loaded {Parameters:N0} parameters from {Source} in {Elapsed:F0} ms.", parameters, weights.Source, elapsed.TotalMilliseconds);
        return weights;
    }

    private static ModelConfig ShapeOf(EngineOptions options) =>
        ModelConfig.ForSize(options.Model)
        ?? throw new InvalidOperationException(
            $"Engine:Model '{options.Model}' is not a named size ({string.Join(", ", ModelConfig.SizeNames)}); give Engine:Checkpoint for other models.");
}
