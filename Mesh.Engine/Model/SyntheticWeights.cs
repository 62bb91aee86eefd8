using Mesh.Engine.Inference;

namespace Mesh.Engine.Model;

/// <summary>
/// Deterministic random weights for a named size, generated from a seed. They exercise every kernel at the
/// real cost of a model of that shape, but they were never trained: the text they produce is meaningless.
/// </summary>
public static class SyntheticWeights
{
    private const float InitStd = 0.02f;

    public static ModelWeights Generate(ModelConfig config, ulong seed)
    {
        config.Validate();
        var tensor = 0UL;
        float[] Random(long length, float std) => Fill(new float[length], seed, tensor++, std);
        float[] Ones(int length) => Enumerable.Repeat(1f, length).ToArray();

        var dim = config.Dim;
        var embedding = Random((long)config.VocabSize * dim, 1f / MathF.Sqrt(dim));
        var layers = new LayerWeights[config.Layers];
        for (var l = 0; l < layers.Length; l++)
        {
            layers[l] = new LayerWeights
            {
                AttentionNorm = Ones(dim),
                QueryKeyValue = Random((long)(dim + 2 * config.KvDim) * dim, InitStd),
                AttentionOutput = Random((long)dim * dim, InitStd),
                FeedForwardNorm = Ones(dim),
                GateUp = Random(2L * config.HiddenDim * dim, InitStd),
                Down = Random((long)dim * config.HiddenDim, InitStd),
            };
        }
        return new ModelWeights
        {
            Config = config,
            TokenEmbedding = embedding,
            Layers = layers,
            FinalNorm = Ones(dim),
            Classifier = embedding,
            Source = $"synthetic(seed={seed})",
            IsSynthetic = true,
        };
    }

    /// <summary>Uniform values with the given standard deviation, from a SplitMix64 stream per tensor, filled in parallel chunks.</summary>
    private static float[] Fill(float[] values, ulong seed, ulong tensor, float std)
    {
        const int chunk = 1 << 16;
        var halfWidth = std * MathF.Sqrt(3f);
        var chunks = (values.Length + chunk - 1) / chunk;
        Parallel.For(0, chunks, c =>
        {
            var state = SplitMix64.Mix(seed ^ SplitMix64.Mix(tensor * SplitMix64.Gamma + (ulong)c));
            var end = Math.Min(values.Length, (c + 1) * chunk);
            for (var i = c * chunk; i < end; i++)
            {
                state += SplitMix64.Gamma;
                var unit = (SplitMix64.Mix(state) >> 40) * (1.0f / (1 << 24)); // [0, 1)
                values[i] = (unit * 2f - 1f) * halfWidth;
            }
        });
        return values;
    }
}
