namespace Mesh.Engine.Inference;

/// <summary>
/// What the scheduler asks of a backend: run one batch and draw the next token of every sampled row.
/// The real transformer and the simulated cost model both implement it, behind the same scheduler and
/// the same KV-cache bookkeeping.
/// </summary>
public interface IModelRunner
{
    /// <summary>Writes the token drawn for <c>batch.SampleRows[i]</c> into <paramref name="sampled"/>[i].</summary>
    void Execute(ForwardBatch batch, Span<int> sampled);

    /// <summary>A short description for <c>/v1/models</c> and the logs.</summary>
    string Description { get; }

    bool IsSimulated { get; }
}
