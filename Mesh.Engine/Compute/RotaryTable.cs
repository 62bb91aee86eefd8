namespace Mesh.Engine.Compute;

/// <summary>
/// Precomputed rotary position embeddings, <c>[position, headSize]</c>, laid out for interleaved pairs:
/// lane <c>j</c> of a head holds the cosine of pair <c>j/2</c> in <see cref="Cos"/>, and its sine in <see cref="Sin"/>,
/// negated on even lanes, so a rotation is <c>v·Cos + swap(v)·Sin</c> lane by lane.
/// </summary>
public sealed class RotaryTable
{
    public RotaryTable(int contextWindow, int headSize, float theta)
    {
        HeadSize = headSize;
        Cos = new float[contextWindow * headSize];
        Sin = new float[contextWindow * headSize];
        for (var p = 0; p < contextWindow; p++)
        {
            for (var i = 0; i < headSize / 2; i++)
            {
                var frequency = 1.0 / Math.Pow(theta, 2.0 * i / headSize);
                var angle = p * frequency;
                var cos = (float)Math.Cos(angle);
                var sin = (float)Math.Sin(angle);
                Cos[p * headSize + 2 * i] = cos;
                Cos[p * headSize + 2 * i + 1] = cos;
                Sin[p * headSize + 2 * i] = -sin;
                Sin[p * headSize + 2 * i + 1] = sin;
            }
        }
    }

    public int HeadSize { get; }

    public float[] Cos { get; }

    public float[] Sin { get; }
}
