using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.Routing;

namespace Mesh.Coordinator.Validation;

/// <summary>A validated, tokenized request on its way through the coordinator.</summary>
internal sealed record CompletionContext(
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
    bool IncludeUsage)
{
    /// <summary>The request asks for what the mesh's engines cannot do: only static backends (a cloud provider) may serve it.</summary>
    public bool StaticBackendsOnly { get; init; }

    /// <summary>The client's own length and seed, sent unchanged to a static backend (the engines get the resolved ones).</summary>
    public int? ClientMaxTokens { get; init; }

    public int? ClientMaxCompletionTokens { get; init; }

    public long? ClientSeed { get; init; }

    public string PolicyName => Policy.Name;

    public string TierPolicyName => TierPolicy.ToWire();
}
