using Mesh.Engine.Compute;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;

namespace Mesh.Tests.Engine.Compute;

/// <summary>
/// The 512-bit and 256-bit CPU kernels compute the same sums in the same order: GEMM equals the in-order fused
/// sum exactly, and a model gives bit-identical logits on either width. In-process the 256-bit path is chosen
/// with <c>allowWide: false</c>; <see cref="EngineVectorPathTests"/> checks a whole engine with AVX-512 turned off.
/// </summary>
public sealed class CpuVectorPathTests
{
    private static readonly CpuComputeBackend Wide = new(threads: 2);
    private static readonly CpuComputeBackend Narrow = new(threads: 2, allowWide: false);

    [Fact]
    public void The_wide_path_runs_where_the_process_has_512_bit_vectors_and_the_narrow_one_when_asked()
    {
        Assert.Equal(CpuComputeBackend.WideSupported ? 512 : 256, Wide.VectorBits);
        Assert.Equal(256, Narrow.VectorBits);
        Assert.StartsWith($"cpu-simd{Wide.VectorBits}x2", Wide.Name, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 37, 100)]      // one row, a zero-padded last panel
    [InlineData(5, 64, 160)]      // two row pairs and a single row, ten panels: two four-panel tiles and a pair
    [InlineData(8, 288, 1003)]    // a decode step of eight: one six-row tile and a row pair, a zero-padded last panel
    [InlineData(7, 33, 48)]       // one six-row tile and a single row, three panels
    [InlineData(13, 288, 480)]    // the small model's qkv width: seven four-panel tiles and a pair
    [InlineData(200, 96, 1000)]   // split across threads by panels, a partial last panel
    [InlineData(400, 64, 100)]    // split across threads by rows and panels
    public void Packed_gemm_equals_the_in_order_fused_sum_on_both_widths(int rows, int inputs, int outputs)
    {
        var x = ReferenceGemm.Values(rows * inputs, 1);
        var w = ReferenceGemm.Values(outputs * inputs, 2);
        var expected = ReferenceGemm.InOrderFusedSum(x, w, rows, inputs, outputs);

        foreach (var compute in new[] { Wide, Narrow })
        {
            var y = new float[rows * outputs + 16];
            Array.Fill(y, float.NaN);
            compute.MatMul(x, rows, compute.Prepare(w, outputs, inputs), y);
            Assert.Equal(expected, y[..(rows * outputs)]);
            Assert.All(y[(rows * outputs)..], v => Assert.True(float.IsNaN(v), "a padded lane was written past the output"));
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(48)]
    [InlineData(43)]
    public void Element_wise_kernels_give_the_same_bits_on_both_widths_and_match_their_scalar_formulas(int dim)
    {
        var x = ReferenceGemm.Values(3 * dim, 5);
        var weight = ReferenceGemm.Values(dim, 6);
        var wide = new float[3 * dim];
        var narrow = new float[3 * dim];
        Wide.RmsNorm(x, weight, wide, 3, dim, 1e-5f);
        Narrow.RmsNorm(x, weight, narrow, 3, dim, 1e-5f);
        Assert.Equal(narrow, wide);

        var gateUp = ReferenceGemm.Values(3 * 2 * dim, 7);
        Wide.SwiGlu(gateUp, 3, dim, wide);
        Narrow.SwiGlu(gateUp, 3, dim, narrow);
        Assert.Equal(narrow, wide);
        for (var i = 0; i < dim; i++)
        {
            var g = gateUp[i];
            Assert.Equal(g / (1 + MathF.Exp(-g)) * gateUp[dim + i], wide[i], 5e-6f);
        }

        var add = ReferenceGemm.Values(3 * dim, 8);
        var sumWide = (float[])x.Clone();
        var sumNarrow = (float[])x.Clone();
        Wide.Add(sumWide, add);
        Narrow.Add(sumNarrow, add);
        Assert.Equal(sumNarrow, sumWide);
        Assert.Equal(x.Zip(add, (a, b) => a + b), sumWide);
    }

    [Fact]
    public void Rotary_rotates_each_pair_exactly_as_the_scalar_formula_on_both_widths()
    {
        const int headSize = 48;
        const int heads = 3;
        var table = new RotaryTable(64, headSize, 10000f);
        var values = ReferenceGemm.Values(2 * heads * headSize, 9);
        int[] positions = [5, 63];
        var expected = (float[])values.Clone();
        for (var r = 0; r < 2; r++)
        {
            for (var h = 0; h < heads; h++)
            {
                for (var i = 0; i < headSize / 2; i++)
                {
                    var frequency = 1.0 / Math.Pow(10000f, 2.0 * i / headSize);
                    var cos = (float)Math.Cos(positions[r] * frequency);
                    var sin = (float)Math.Sin(positions[r] * frequency);
                    var at = r * heads * headSize + h * headSize + 2 * i;
                    var a = values[at];
                    var b = values[at + 1];
                    expected[at] = a * cos - b * sin;
                    expected[at + 1] = a * sin + b * cos;
                }
            }
        }

        foreach (var compute in new[] { Wide, Narrow })
        {
            var rotated = (float[])values.Clone();
            compute.ApplyRotary(rotated, 2, heads * headSize, 0, heads, headSize, positions, table);
            Assert.Equal(expected, rotated);
        }
    }

    [Fact]
    public void The_tiny_model_gives_bit_identical_logits_on_both_widths_through_prefill_and_decode()
    {
        var weights = SyntheticWeights.Generate(ModelConfig.ForSize("tiny")!, seed: 5);
        var logits = new[] { Wide, Narrow }.Select(compute =>
        {
            var runner = new TransformerRunner(weights, compute, new KvCacheStorage(compute, weights.Config, capacityBlocks: 16, 16), maxRows: 128, maxSampleRows: 4);
            int[] table = [0, 1, 2, 3, 4, 5];
            var batch = new ForwardBatch(128);
            var tokens = Enumerable.Range(0, 70).Select(i => i * 7919 % 50000 + 10).ToArray();
            foreach (var (p, token) in tokens.Index())
            {
                batch.AddRow(token, p, writeKv: true, table, isDecode: false);
            }
            batch.SampleLastRow(new SamplingParameters(0, 1, 1));
            var sampled = new int[1];
            runner.Execute(batch, sampled);
            var steps = new List<float[]> { runner.LastLogits(0).ToArray() };
            for (var step = 0; step < 8; step++)
            {
                batch.Clear();
                batch.AddRow(sampled[0], tokens.Length + step, writeKv: true, table, isDecode: true);
                batch.SampleLastRow(new SamplingParameters(0, 1, 1));
                runner.Execute(batch, sampled);
                steps.Add(runner.LastLogits(0).ToArray());
            }
            return steps;
        }).ToArray();

        Assert.Equal(logits[1].Count, logits[0].Count);
        for (var i = 0; i < logits[0].Count; i++)
        {
            Assert.Equal(logits[1][i], logits[0][i]);
        }
    }
}
