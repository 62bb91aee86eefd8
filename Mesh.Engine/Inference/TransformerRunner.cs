using Mesh.Engine.Compute;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;

namespace Mesh.Engine.Inference;

/// <summary>
/// The real backend: a Llama decoder (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU) over a
/// paged KV cache. Every row of the batch goes through the same matrix multiplications, whatever mix of
/// prefill chunks and decode tokens the scheduler put together.
/// </summary>
public sealed class TransformerRunner : IModelRunner
{
    private readonly ModelWeights _weights;
    private readonly PreparedLayer[] _layers;
    private readonly IWeightMatrix _classifier;
    private readonly ModelConfig _config;
    private readonly IComputeBackend _compute;
    private readonly KvCacheStorage _cache;
    private readonly RotaryTable _rotary;
    private readonly Sampler _sampler;

    // Activations for up to MaxRows rows, allocated once.
    private readonly float[] _x;
    private readonly float[] _normed;
    private readonly float[] _qkv;
    private readonly float[] _attention;
    private readonly float[] _projected;
    private readonly float[] _gateUp;
    private readonly float[] _hidden;
    private readonly float[] _final;
    private readonly float[] _logits;
    private readonly int _maxSampleRows;

    public TransformerRunner(ModelWeights weights, IComputeBackend compute, KvCacheStorage cache, int maxRows, int maxSampleRows)
    {
        _weights = weights;
        _config = weights.Config;
        _compute = compute;
        _cache = cache;
        _maxSampleRows = maxSampleRows;
        _rotary = new RotaryTable(_config.ContextWindow, _config.HeadSize, _config.RopeTheta);
        _sampler = new Sampler(_config.VocabSize);
        var dim = _config.Dim;
        _layers = [.. weights.Layers.Select(l => new PreparedLayer(
            compute.Prepare(l.QueryKeyValue, QkvWidth, dim),
            compute.Prepare(l.AttentionOutput, dim, dim),
            compute.Prepare(l.GateUp, 2 * _config.HiddenDim, dim),
            compute.Prepare(l.Down, dim, _config.HiddenDim)))];
        _classifier = compute.Prepare(weights.Classifier, _config.VocabSize, dim, shareRowMajor: true);
        _x = new float[maxRows * dim];
        _normed = new float[maxRows * dim];
        _qkv = new float[maxRows * QkvWidth];
        _attention = new float[maxRows * dim];
        _projected = new float[maxRows * dim];
        _gateUp = new float[maxRows * 2 * _config.HiddenDim];
        _hidden = new float[maxRows * _config.HiddenDim];
        _final = new float[maxSampleRows * dim];
        _logits = new float[(long)maxSampleRows * _config.VocabSize];
    }

    private int QkvWidth => _config.Dim + 2 * _config.KvDim;

    /// <summary>The logits of the last step's sampled row <paramref name="sampleIndex"/> (when the step sampled at most one chunk of rows).</summary>
    internal ReadOnlySpan<float> LastLogits(int sampleIndex) => _logits.AsSpan(sampleIndex * _config.VocabSize, _config.VocabSize);

    public string Description => $"llama dim={_config.Dim} layers={_config.Layers} heads={_config.Heads}/{_config.KvHeads} on {_compute.Name}";

    public bool IsSimulated => false;

    public void Execute(ForwardBatch batch, Span<int> sampled)
    {
        var rows = batch.Rows;
        var dim = _config.Dim;
        var x = _x.AsSpan(0, rows * dim);
        for (var r = 0; r < rows; r++)
        {
            _weights.TokenEmbedding.AsSpan(batch.Tokens[r] * dim, dim).CopyTo(x.Slice(r * dim, dim));
        }
        for (var l = 0; l < _config.Layers; l++)
        {
            Layer(l, batch, x);
        }
        Sample(batch, x, sampled);
    }

    private void Layer(int layer, ForwardBatch batch, Span<float> x)
    {
        var c = _config;
        var w = _weights.Layers[layer];
        var m = _layers[layer];
        var rows = batch.Rows;
        var dim = c.Dim;
        var normed = _normed.AsSpan(0, rows * dim);
        var qkv = _qkv.AsSpan(0, rows * QkvWidth);
        var projected = _projected.AsSpan(0, rows * dim);

        _compute.RmsNorm(x, w.AttentionNorm, normed, rows, dim, c.NormEpsilon);
        _compute.MatMul(normed, rows, m.QueryKeyValue, qkv);
        _compute.ApplyRotary(qkv, rows, QkvWidth, 0, c.Heads, c.HeadSize, batch.Positions, _rotary);
        _compute.ApplyRotary(qkv, rows, QkvWidth, dim, c.KvHeads, c.HeadSize, batch.Positions, _rotary);
        StoreKeysAndValues(layer, batch, qkv);

        var attention = _attention.AsSpan(0, rows * dim);
        _compute.Attention(new AttentionBatch
        {
            Queries = qkv,
            QueryStride = QkvWidth,
            Rows = rows,
            Positions = batch.Positions,
            BlockTables = batch.BlockTables,
            KeyCache = _cache.Keys[layer],
            ValueCache = _cache.Values[layer],
            BlockSize = _cache.BlockSize,
            Heads = c.Heads,
            KvHeads = c.KvHeads,
            HeadSize = c.HeadSize,
            Output = attention,
        });
        _compute.MatMul(attention, rows, m.AttentionOutput, projected);
        _compute.Add(x, projected);

        var gateUp = _gateUp.AsSpan(0, rows * 2 * c.HiddenDim);
        var hidden = _hidden.AsSpan(0, rows * c.HiddenDim);
        _compute.RmsNorm(x, w.FeedForwardNorm, normed, rows, dim, c.NormEpsilon);
        _compute.MatMul(normed, rows, m.GateUp, gateUp);
        _compute.SwiGlu(gateUp, rows, c.HiddenDim, hidden);
        _compute.MatMul(hidden, rows, m.Down, projected);
        _compute.Add(x, projected);
    }

    private void StoreKeysAndValues(int layer, ForwardBatch batch, ReadOnlySpan<float> qkv)
    {
        var kvDim = _config.KvDim;
        var keys = _cache.Keys[layer].AsSpan();
        var values = _cache.Values[layer].AsSpan();
        for (var r = 0; r < batch.Rows; r++)
        {
            if (!batch.WriteKv[r])
            {
                continue;
            }
            var offset = _cache.Offset(batch.BlockTables[r], batch.Positions[r]);
            var row = qkv.Slice(r * QkvWidth, QkvWidth);
            row.Slice(_config.Dim, kvDim).CopyTo(keys.Slice((int)offset, kvDim));
            row.Slice(_config.Dim + kvDim, kvDim).CopyTo(values.Slice((int)offset, kvDim));
        }
    }

    private void Sample(ForwardBatch batch, ReadOnlySpan<float> x, Span<int> sampled)
    {
        var dim = _config.Dim;
        var vocab = _config.VocabSize;
        for (var start = 0; start < batch.SampleCount; start += _maxSampleRows)
        {
            var count = Math.Min(_maxSampleRows, batch.SampleCount - start);
            var gathered = _normed.AsSpan(0, count * dim);
            for (var i = 0; i < count; i++)
            {
                x.Slice(batch.SampleRows[start + i] * dim, dim).CopyTo(gathered.Slice(i * dim, dim));
            }
            var final = _final.AsSpan(0, count * dim);
            _compute.RmsNorm(gathered, _weights.FinalNorm, final, count, dim, _config.NormEpsilon);
            var logits = _logits.AsSpan(0, count * vocab);
            _compute.MatMul(final, count, _classifier, logits);
            for (var i = 0; i < count; i++)
            {
                var s = start + i;
                sampled[s] = _sampler.Sample(logits.Slice(i * vocab, vocab), batch.Sampling[s], batch.SamplePositions[s]);
            }
        }
    }

    /// <summary>A layer's matrices in the backend's layout.</summary>
    private sealed record PreparedLayer(IWeightMatrix QueryKeyValue, IWeightMatrix AttentionOutput, IWeightMatrix GateUp, IWeightMatrix Down);
}
