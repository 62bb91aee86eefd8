namespace Mesh.Engine.Model;

/// <summary>What the engine serves, as <c>/v1/models</c>, the heartbeat and the logs describe it.</summary>
public sealed record ModelInfo(
    string ServedName,
    ModelConfig Config,
    string WeightsSource,
    bool IsSynthetic,
    bool IsSimulated,
    string Backend)
{
    public int ContextWindow => Config.ContextWindow;

    public string Note => (IsSimulated, IsSynthetic) switch
    {
        (true, _) => "Simulated backend: timings follow a cost model calibrated on the real engine; the text is filler and means nothing.",
        (false, true) => "Synthetic weights generated from a seed, never trained: the model computes real attention over a real KV cache, but its text is meaningless.",
        _ => "Weights loaded from a checkpoint.",
    };
}
