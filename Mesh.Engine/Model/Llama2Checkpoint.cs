using System.Runtime.InteropServices;

namespace Mesh.Engine.Model;

/// <summary>
/// Reads and writes Andrej Karpathy's llama2.c checkpoint format: a header of seven int32
/// (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means the
/// classifier is stored separately), then float32 tensors: token embedding, attention norms, wq, wk, wv, wo,
/// feed-forward norms, w1, w2, w3, final norm, two legacy RoPE tables (skipped), and the classifier if unshared.
/// </summary>
public static class Llama2Checkpoint
{
    private const int HeaderInts = 7;

    public static ModelWeights Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        Span<int> header = stackalloc int[HeaderInts];
        stream.ReadExactly(MemoryMarshal.AsBytes(header));
        var shared = header[5] > 0;
        var config = new ModelConfig(header[0], header[1], header[2], header[3], header[4], Math.Abs(header[5]), header[6]);
        config.Validate();
        ValidateLength(stream.Length, config, shared, path);

        var dim = config.Dim;
        var kvDim = config.KvDim;
        var hidden = config.HiddenDim;
        var n = config.Layers;
        var embedding = Read(stream, (long)config.VocabSize * dim);
        var attentionNorm = ReadPerLayer(stream, n, dim);
        var wq = ReadPerLayer(stream, n, (long)dim * dim);
        var wk = ReadPerLayer(stream, n, (long)kvDim * dim);
        var wv = ReadPerLayer(stream, n, (long)kvDim * dim);
        var wo = ReadPerLayer(stream, n, (long)dim * dim);
        var ffnNorm = ReadPerLayer(stream, n, dim);
        var w1 = ReadPerLayer(stream, n, (long)hidden * dim);
        var w2 = ReadPerLayer(stream, n, (long)dim * hidden);
        var w3 = ReadPerLayer(stream, n, (long)hidden * dim);
        var finalNorm = Read(stream, dim);
        stream.Seek((long)config.ContextWindow * config.HeadSize * sizeof(float), SeekOrigin.Current);
        var classifier = shared ? embedding : Read(stream, (long)config.VocabSize * dim);

        var layers = new LayerWeights[n];
        for (var l = 0; l < n; l++)
        {
            layers[l] = new LayerWeights
            {
                AttentionNorm = attentionNorm[l],
                QueryKeyValue = [.. wq[l], .. wk[l], .. wv[l]],
                AttentionOutput = wo[l],
                FeedForwardNorm = ffnNorm[l],
                GateUp = [.. w1[l], .. w3[l]],
                Down = w2[l],
            };
        }
        return new ModelWeights
        {
            Config = config,
            TokenEmbedding = embedding,
            Layers = layers,
            FinalNorm = finalNorm,
            Classifier = classifier,
            Source = Path.GetFullPath(path),
        };
    }

    public static void Save(ModelWeights weights, string path)
    {
        var c = weights.Config;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        ReadOnlySpan<int> header =
            [c.Dim, c.HiddenDim, c.Layers, c.Heads, c.KvHeads, weights.SharesClassifier ? c.VocabSize : -c.VocabSize, c.ContextWindow];
        stream.Write(MemoryMarshal.AsBytes(header));
        var qSize = c.Dim * c.Dim;
        var kvSize = c.KvDim * c.Dim;
        var gateSize = c.HiddenDim * c.Dim;
        Write(stream, weights.TokenEmbedding);
        foreach (var l in weights.Layers) Write(stream, l.AttentionNorm);
        foreach (var l in weights.Layers) Write(stream, l.QueryKeyValue.AsSpan(0, qSize));
        foreach (var l in weights.Layers) Write(stream, l.QueryKeyValue.AsSpan(qSize, kvSize));
        foreach (var l in weights.Layers) Write(stream, l.QueryKeyValue.AsSpan(qSize + kvSize, kvSize));
        foreach (var l in weights.Layers) Write(stream, l.AttentionOutput);
        foreach (var l in weights.Layers) Write(stream, l.FeedForwardNorm);
        foreach (var l in weights.Layers) Write(stream, l.GateUp.AsSpan(0, gateSize));
        foreach (var l in weights.Layers) Write(stream, l.Down);
        foreach (var l in weights.Layers) Write(stream, l.GateUp.AsSpan(gateSize, gateSize));
        Write(stream, weights.FinalNorm);
        Write(stream, new float[c.ContextWindow * c.HeadSize]);
        if (!weights.SharesClassifier)
        {
            Write(stream, weights.Classifier);
        }
    }

    private static void ValidateLength(long fileLength, ModelConfig c, bool shared, string path)
    {
        long floats = (long)c.VocabSize * c.Dim
            + c.Layers * (2L * c.Dim + 2L * c.Dim * c.Dim + 2L * c.KvDim * c.Dim + 3L * c.HiddenDim * c.Dim)
            + c.Dim
            + (long)c.ContextWindow * c.HeadSize
            + (shared ? 0 : (long)c.VocabSize * c.Dim);
        var expected = HeaderInts * sizeof(int) + floats * sizeof(float);
        if (fileLength != expected)
        {
            throw new InvalidDataException($"'{path}' is {fileLength} bytes; a llama2.c checkpoint of {c} is {expected} bytes.");
        }
    }

    private static float[][] ReadPerLayer(Stream stream, int layers, long length)
    {
        var result = new float[layers][];
        for (var l = 0; l < layers; l++)
        {
            result[l] = Read(stream, length);
        }
        return result;
    }

    private static float[] Read(Stream stream, long length)
    {
        var values = new float[length];
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void Write(Stream stream, ReadOnlySpan<float> values) => stream.Write(MemoryMarshal.AsBytes(values));
}
