namespace Mesh.Tests.Engine.Compute;

/// <summary>What every matrix multiply of both backends must give, bit for bit: each output its inputs summed in order, one fused multiply-add each.</summary>
internal static class ReferenceGemm
{
    /// <summary>Uniform values in [−1, 1), the same for the same seed.</summary>
    public static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    /// <summary><c>y[r, j] = Σₚ x[r, p]·w[j, p]</c> for a row-major <c>w[outputs, inputs]</c>, in order of <c>p</c>.</summary>
    public static float[] InOrderFusedSum(float[] x, float[] w, int rows, int inputs, int outputs)
    {
        var y = new float[rows * outputs];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < outputs; j++)
            {
                var sum = 0f;
                for (var p = 0; p < inputs; p++)
                {
                    sum = MathF.FusedMultiplyAdd(x[r * inputs + p], w[j * inputs + p], sum);
                }
                y[r * outputs + j] = sum;
            }
        }
        return y;
    }
}
