using Mesh.Engine.Inference;

namespace Mesh.Tests.Engine;

public sealed class SamplerTests
{
    private static float[] Logits(int size, params (int Id, float Value)[] peaks)
    {
        var logits = new float[size];
        foreach (var (id, value) in peaks)
        {
            logits[id] = value;
        }
        return logits;
    }

    [Fact]
    public void Temperature_zero_is_greedy()
    {
        var sampler = new Sampler(1000);
        Assert.Equal(42, sampler.Sample(Logits(1000, (42, 5f), (7, 4f)), new SamplingParameters(0, 1, 1), 0));
    }

    [Fact]
    public void The_draw_depends_only_on_seed_and_position()
    {
        var sampler = new Sampler(1000);
        var logits = Logits(1000);
        var first = Enumerable.Range(0, 50).Select(p => sampler.Sample(logits, new SamplingParameters(1, 1, 123), p)).ToArray();
        var again = Enumerable.Range(0, 50).Select(p => new Sampler(1000).Sample(logits, new SamplingParameters(1, 1, 123), p)).ToArray();
        var otherSeed = Enumerable.Range(0, 50).Select(p => sampler.Sample(logits, new SamplingParameters(1, 1, 124), p)).ToArray();
        Assert.Equal(first, again);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void A_small_top_p_keeps_only_the_most_likely_tokens()
    {
        var sampler = new Sampler(1000);
        var logits = Logits(1000, (3, 10f), (4, 9.5f));
        for (var position = 0; position < 200; position++)
        {
            Assert.Equal(3, sampler.Sample(logits, new SamplingParameters(1, 0.5f, 9), position));
        }
    }

    [Fact]
    public void Unassigned_ids_of_the_vocabulary_are_never_drawn()
    {
        var sampler = new Sampler(Mesh.Contracts.Tokenization.MeshTokenizer.VocabularySize);
        var logits = new float[Mesh.Contracts.Tokenization.MeshTokenizer.VocabularySize];
        logits[100265] = 100f; // unassigned in cl100k
        Assert.NotEqual(100265, sampler.Sample(logits, new SamplingParameters(0, 1, 1), 0));
    }
}
