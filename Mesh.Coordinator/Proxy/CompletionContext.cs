using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Proxy;

/// <summary>A validated, tokenized request on its way through the coordinator.</summary>
public sealed record CompletionContext(
    HttpContext Http,
    GenerationRequest Request,
    CompletionKind Kind,
    string RequestId,
    string Model,
    int[] PromptTokens,
    ulong[] BlockHashes,
    int MaxTokens,
    long Seed,
    IRoutingPolicy Policy,
    TierPolicy TierPolicy,
    bool ClientStream,
    bool IncludeUsage,
    RequestTrace Trace)
{
    public string PolicyName => Policy.Name;

    public string TierPolicyName => TierPolicy.ToWire();
}
