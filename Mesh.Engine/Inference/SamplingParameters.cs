namespace Mesh.Engine.Inference;

/// <summary>How the next token is drawn. A temperature of zero is greedy decoding.</summary>
public readonly record struct SamplingParameters(float Temperature, float TopP, ulong Seed)
{
    public bool IsGreedy => Temperature < 1e-5f;
}
