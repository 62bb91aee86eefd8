namespace Mesh.Engine.Model;

/// <summary>The shape of a Llama-architecture decoder, as the llama2.c checkpoint header gives it.</summary>
public sealed record ModelConfig(
    int Dim,
    int HiddenDim,
    int Layers,
    int Heads,
    int KvHeads,
    int VocabSize,
    int ContextWindow,
    float RopeTheta = 10000f,
    float NormEpsilon = 1e-5f)
{
    public int HeadSize => Dim / Heads;

    public int KvDim => KvHeads * HeadSize;

    /// <summary>Query heads per key/value head (grouped-query attention).</summary>
    public int GroupSize => Heads / KvHeads;

    public long ParameterCount =>
        (long)VocabSize * Dim
        + (long)Layers * (2L * Dim + (long)Dim * Dim * 2 + 2L * Dim * KvDim + 3L * Dim * HiddenDim)
        + Dim;

    /// <summary>Named sizes with synthetic weights. <c>tiny</c> is for fast tests; <c>small</c> (~35M parameters) for the demo.</summary>
    public static ModelConfig? ForSize(string name) => name.ToLowerInvariant() switch
    {
        Contracts.Models.ModelSizeNames.Tiny => new ModelConfig(Dim: 64, HiddenDim: 176, Layers: 2, Heads: 4, KvHeads: 2, VocabSize: Contracts.Tokenization.MeshTokenizer.VocabularySize, ContextWindow: 1024),
        Contracts.Models.ModelSizeNames.Small => new ModelConfig(Dim: 288, HiddenDim: 768, Layers: 6, Heads: 6, KvHeads: 2, VocabSize: Contracts.Tokenization.MeshTokenizer.VocabularySize, ContextWindow: 2048),
        _ => null,
    };

    public static IReadOnlyList<string> SizeNames => Contracts.Models.ModelSizeNames.All;

    public void Validate()
    {
        if (Dim <= 0 || HiddenDim <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || VocabSize <= 0 || ContextWindow <= 0)
        {
            throw new InvalidDataException($"Every model dimension must be positive: {this}.");
        }
        if (Dim % Heads != 0 || Heads % KvHeads != 0 || HeadSize % 2 != 0)
        {
            throw new InvalidDataException($"Heads must divide the model width, key/value heads must divide heads, and the head size must be even: {this}.");
        }
    }
}
