namespace Mesh.Engine.Model;

/// <summary>
/// A model's weights in the layout the forward pass reads. Matrices are row-major <c>[out, in]</c>, as in
/// llama2.c; the query/key/value projections are stacked into one matrix and the gate/up projections into
/// another, so each is one matrix multiplication per layer.
/// </summary>
public sealed class ModelWeights
{
    public required ModelConfig Config { get; init; }

    /// <summary><c>[vocab, dim]</c>.</summary>
    public required float[] TokenEmbedding { get; init; }

    public required LayerWeights[] Layers { get; init; }

    /// <summary><c>[dim]</c>.</summary>
    public required float[] FinalNorm { get; init; }

    /// <summary><c>[vocab, dim]</c>; the same array as <see cref="TokenEmbedding"/> when the checkpoint shares them.</summary>
    public required float[] Classifier { get; init; }

    /// <summary>Where the weights came from: a checkpoint path, or <c>synthetic(seed=…)</c>.</summary>
    public required string Source { get; init; }

    public bool IsSynthetic { get; init; }

    public bool SharesClassifier => ReferenceEquals(TokenEmbedding, Classifier);
}

public sealed class LayerWeights
{
    /// <summary><c>[dim]</c>.</summary>
    public required float[] AttentionNorm { get; init; }

    /// <summary><c>[dim + 2·kvDim, dim]</c>: the query rows, then the key rows, then the value rows.</summary>
    public required float[] QueryKeyValue { get; init; }

    /// <summary><c>[dim, dim]</c>.</summary>
    public required float[] AttentionOutput { get; init; }

    /// <summary><c>[dim]</c>.</summary>
    public required float[] FeedForwardNorm { get; init; }

    /// <summary><c>[2·hidden, dim]</c>: the gate (w1) rows, then the up (w3) rows.</summary>
    public required float[] GateUp { get; init; }

    /// <summary><c>[dim, hidden]</c> (w2).</summary>
    public required float[] Down { get; init; }
}
