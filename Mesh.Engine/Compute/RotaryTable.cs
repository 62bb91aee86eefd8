namespace Mesh.Engine.Compute;

/// <summary>Precomputed cosines and sines of rotary position embeddings, <c>[position, headSize/2]</c>.</summary>
public sealed class RotaryTable
{
    public RotaryTable(int contextWindow, int headSize, float theta)
    {
        HalfHeadSize = headSize / 2;
        Cos = new float[contextWindow * HalfHeadSize];
        Sin = new float[contextWindow * HalfHeadSize];
        for (var p = 0; p < contextWindow; p++)
        {
            for (var i = 0; i < HalfHeadSize; i++)
            {
                var frequency = 1.0 / Math.Pow(theta, 2.0 * i / headSize);
                var angle = p * frequency;
                Cos[p * HalfHeadSize + i] = (float)Math.Cos(angle);
                Sin[p * HalfHeadSize + i] = (float)Math.Sin(angle);
            }
        }
    }

    public int HalfHeadSize { get; }

    public float[] Cos { get; }

    public float[] Sin { get; }
}
