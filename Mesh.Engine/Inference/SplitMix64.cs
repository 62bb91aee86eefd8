namespace Mesh.Engine.Inference;

/// <summary>SplitMix64's finalizer: a cheap, well-mixed hash of 64 bits, used wherever a seeded stream must be reproducible.</summary>
public static class SplitMix64
{
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
