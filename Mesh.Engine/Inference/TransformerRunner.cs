using Mesh.Engine.Compute;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;

namespace Mesh.Engine.Inference;

/// <summary>
/// The real backend: a Llama decoder (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU) over a
/// paged KV cache. Every row of the batch goes through the same matrix multiplications, whatever mix of
/// prefill chunks and decode tokens the scheduler put together.
/// </summary>
public sealed class TransformerRunner : IModelRunner, IDisposable
{
    private readonly ModelConfig _config;
    private readonly IComputeBackend _compute;
    private readonly KvCacheStorage _cache;
    private readonly Sampler _sampler;

    // Weights and activations for up to MaxRows rows, in the backend's memory, allocated once.
    private readonly PreparedLayer[] _layers;
    private readonly IWeightMatrix _classifier;
    private readonly IComputeBuffer _embedding;
    private readonly IComputeBuffer _finalNorm;
    private readonly IComputeBuffer _cos;
    private readonly IComputeBuffer _sin;
    private readonly IComputeBuffer _x;
    private readonly IComputeBuffer _normed;
    private readonly IComputeBuffer _qkv;
    private readonly IComputeBuffer _attention;
    private readonly IComputeBuffer _projected;
    private readonly IComputeBuffer _gateUp;
    private readonly IComputeBuffer _hidden;
    private readonly IComputeBuffer _final;
    private readonly IComputeBuffer _logitsOnDevice;
    // The sampled rows' logits on the host, where the sampler reads them.
    private readonly float[] _logits;
    private readonly int _maxSampleRows;

    public TransformerRunner(ModelWeights weights, IComputeBackend compute, KvCacheStorage cache, int maxRows, int maxSampleRows)
    {
        _config = weights.Config;
        _compute = compute;
        _cache = cache;
        _maxSampleRows = maxSampleRows;
        var rotary = new RotaryTable(_config.ContextWindow, _config.HeadSize, _config.RopeTheta);
        _sampler = new Sampler(_config.VocabSize);
        var dim = _config.Dim;
        _layers = [.. weights.Layers.Select(l => new PreparedLayer(
            compute.Upload(l.AttentionNorm),
            compute.Prepare(l.QueryKeyValue, QkvWidth, dim),
            compute.Prepare(l.AttentionOutput, dim, dim),
            compute.Upload(l.FeedForwardNorm),
            compute.Prepare(l.GateUp, 2 * _config.HiddenDim, dim),
            compute.Prepare(l.Down, dim, _config.HiddenDim)))];
        _classifier = compute.Prepare(weights.Classifier, _config.VocabSize, dim);
        _embedding = compute.Upload(weights.TokenEmbedding);
        _finalNorm = compute.Upload(weights.FinalNorm);
        _cos = compute.Upload(rotary.Cos);
        _sin = compute.Upload(rotary.Sin);
        _x = compute.Allocate(maxRows * dim);
        _normed = compute.Allocate(maxRows * dim);
        _qkv = compute.Allocate(maxRows * QkvWidth);
        _attention = compute.Allocate(maxRows * dim);
        _projected = compute.Allocate(maxRows * dim);
        _gateUp = compute.Allocate(maxRows * 2 * _config.HiddenDim);
        _hidden = compute.Allocate(maxRows * _config.HiddenDim);
        _final = compute.Allocate(maxSampleRows * dim);
        _logitsOnDevice = compute.Allocate((long)maxSampleRows * _config.VocabSize);
        _logits = new float[(long)maxSampleRows * _config.VocabSize];
    }

    private int QkvWidth => _config.Dim + 2 * _config.KvDim;

    /// <summary>The logits of the last step's sampled row <paramref name="sampleIndex"/> (when the step sampled at most one chunk of rows).</summary>
    internal ReadOnlySpan<float> LastLogits(int sampleIndex) => _logits.AsSpan(sampleIndex * _config.VocabSize, _config.VocabSize);

    public string Description => $"llama dim={_config.Dim} layers={_config.Layers} heads={_config.Heads}/{_config.KvHeads} on {_compute.Name}";

    public bool IsSimulated => false;

    public void Execute(ForwardBatch batch, Span<int> sampled)
    {
        var step = _compute.BeginStep(batch);
        _compute.Embed(step, _embedding, _config.Dim, _x);
        for (var l = 0; l < _config.Layers; l++)
        {
            Layer(l, step);
        }
        Sample(step, sampled);
    }

    private void Layer(int layer, IStepInputs step)
    {
        var c = _config;
        var m = _layers[layer];
        var rows = step.Batch.Rows;
        var dim = c.Dim;

        _compute.RmsNorm(_x, m.AttentionNorm, _normed, rows, dim, c.NormEpsilon);
        _compute.MatMul(_normed, rows, m.QueryKeyValue, _qkv);
        _compute.ApplyRotary(step, _qkv, QkvWidth, 0, c.Heads, c.HeadSize, _cos, _sin);
        _compute.ApplyRotary(step, _qkv, QkvWidth, dim, c.KvHeads, c.HeadSize, _cos, _sin);
        _compute.StoreKeysAndValues(step, _qkv, QkvWidth, dim, dim + c.KvDim, _cache.Layers[layer]);
        _compute.Attention(new AttentionBatch
        {
            Step = step,
            Queries = _qkv,
            QueryStride = QkvWidth,
            Cache = _cache.Layers[layer],
            Heads = c.Heads,
            KvHeads = c.KvHeads,
            HeadSize = c.HeadSize,
            Output = _attention,
        });
        _compute.MatMul(_attention, rows, m.AttentionOutput, _projected);
        _compute.Add(_x, _projected, rows * dim);

        _compute.RmsNorm(_x, m.FeedForwardNorm, _normed, rows, dim, c.NormEpsilon);
        _compute.MatMul(_normed, rows, m.GateUp, _gateUp);
        _compute.SwiGlu(_gateUp, rows, c.HiddenDim, _hidden);
        _compute.MatMul(_hidden, rows, m.Down, _projected);
        _compute.Add(_x, _projected, rows * dim);
    }

    private void Sample(IStepInputs step, Span<int> sampled)
    {
        var batch = step.Batch;
        var dim = _config.Dim;
        var vocab = _config.VocabSize;
        for (var start = 0; start < batch.SampleCount; start += _maxSampleRows)
        {
            var count = Math.Min(_maxSampleRows, batch.SampleCount - start);
            _compute.GatherSampledRows(step, start, count, _x, dim, _normed);
            _compute.RmsNorm(_normed, _finalNorm, _final, count, dim, _config.NormEpsilon);
            _compute.MatMul(_final, count, _classifier, _logitsOnDevice);
            var logits = _logits.AsSpan(0, count * vocab);
            _compute.Download(_logitsOnDevice, logits);
            for (var i = 0; i < count; i++)
            {
                var s = start + i;
                sampled[s] = _sampler.Sample(logits.Slice(i * vocab, vocab), batch.Sampling[s], batch.SamplePositions[s]);
            }
        }
    }

    public void Dispose()
    {
        _cache.Dispose();
        _compute.Dispose();
    }

    /// <summary>A layer's weights in the backend's memory and layout.</summary>
    private sealed record PreparedLayer(
        IComputeBuffer AttentionNorm, IWeightMatrix QueryKeyValue, IWeightMatrix AttentionOutput,
        IComputeBuffer FeedForwardNorm, IWeightMatrix GateUp, IWeightMatrix Down);
}
