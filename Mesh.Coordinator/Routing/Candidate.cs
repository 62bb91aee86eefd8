using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Routing;

/// <summary>
/// One engine as the router saw it for one request: the blocks of the prompt it holds, and the predicted time
/// to first token that ranks it (queue wait plus uncached prompt tokens times its prefill cost).
/// </summary>
public sealed record Candidate(
    EngineEntry Engine,
    int MatchedBlocks,
    int UncachedTokens,
    double QueueMs,
    double PrefillMs,
    double ScoreMs,
    bool Saturated)
{
    public string Id => Engine.Id;
}
