using Mesh.Contracts.Tokenization;

namespace Mesh.Engine.Inference;

/// <summary>
/// Draws a token from logits: greedy at temperature zero, otherwise softmax with temperature and nucleus
/// (top-p) truncation. The random draw depends only on the seed and the token's position, so a generation
/// continued elsewhere from the same tokens (a migrated stream) draws exactly what it would have.
/// </summary>
public sealed class Sampler
{
    private readonly bool[] _assigned;
    private float[] _probabilities = [];
    private int[] _candidates = [];
    private readonly Comparison<int> _byProbabilityDescending;

    public Sampler(int vocabularySize)
    {
        _byProbabilityDescending = (a, b) =>
            _probabilities[b].CompareTo(_probabilities[a]) is var order && order != 0 ? order : a.CompareTo(b);
        _assigned = new bool[vocabularySize];
        for (var id = 0; id < vocabularySize; id++)
        {
            // A vocabulary the mesh tokenizer does not know (a foreign checkpoint) keeps every id.
            _assigned[id] = vocabularySize != MeshTokenizer.VocabularySize || MeshTokenizer.IsAssigned(id);
        }
    }

    public int Sample(ReadOnlySpan<float> logits, SamplingParameters sampling, int position)
    {
        if (sampling.IsGreedy)
        {
            return ArgMax(logits);
        }
        EnsureCapacity(logits.Length);
        var probabilities = _probabilities.AsSpan(0, logits.Length);
        var max = float.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++)
        {
            if (_assigned[i])
            {
                max = MathF.Max(max, logits[i]);
            }
        }
        var inverseTemperature = 1f / sampling.Temperature;
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++)
        {
            var p = _assigned[i] ? MathF.Exp((logits[i] - max) * inverseTemperature) : 0f;
            probabilities[i] = p;
            sum += p;
        }
        var draw = UniformDraw(sampling.Seed, position);
        return sampling.TopP < 1f
            ? SampleNucleus(probabilities, (float)sum, sampling.TopP, draw)
            : SampleAll(probabilities, sum, draw);
    }

    public static double UniformDraw(ulong seed, int position)
    {
        var z = seed ^ SplitMix64.Mix(SplitMix64.Gamma * (ulong)(position + 1));
        return (SplitMix64.Mix(z) >> 11) * (1.0 / (1UL << 53));
    }

    private int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++)
        {
            if (_assigned[i] && (best < 0 || logits[i] > bestValue))
            {
                best = i;
                bestValue = logits[i];
            }
        }
        return best;
    }

    private static int SampleAll(Span<float> probabilities, double sum, double draw)
    {
        var target = draw * sum;
        var cumulative = 0.0;
        var last = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0f)
            {
                continue;
            }
            last = i;
            cumulative += probabilities[i];
            if (cumulative > target)
            {
                return i;
            }
        }
        return last;
    }

    private int SampleNucleus(Span<float> probabilities, float sum, float topP, double draw)
    {
        // Tokens below (1 - p) / n can never be inside the nucleus: together they weigh less than 1 - p.
        var cutoff = (1f - topP) / (probabilities.Length - 1) * sum;
        var count = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] >= cutoff && probabilities[i] > 0f)
            {
                _candidates[count++] = i;
            }
        }
        var candidates = _candidates.AsSpan(0, count);
        candidates.Sort(_byProbabilityDescending);
        var target = topP * sum;
        var nucleus = 0.0;
        var size = 0;
        while (size < count)
        {
            nucleus += probabilities[candidates[size++]];
            if (nucleus >= target)
            {
                break;
            }
        }
        var pick = draw * nucleus;
        var cumulative = 0.0;
        for (var i = 0; i < size; i++)
        {
            cumulative += probabilities[candidates[i]];
            if (cumulative > pick)
            {
                return candidates[i];
            }
        }
        return candidates[size - 1];
    }

    private void EnsureCapacity(int length)
    {
        if (_probabilities.Length < length)
        {
            _probabilities = new float[length];
            _candidates = new int[length];
        }
    }
}
