namespace Mesh.SemanticKernel;

/// <summary>
/// One call through the mesh, from the chat-completion service down to the HTTP handler beneath Semantic Kernel's OpenAI
/// connector: the routing hints going out, and what the coordinator reports coming back. It flows with the async call,
/// so calls made in parallel never see each other's.
/// </summary>
internal sealed class MeshCall(string? routingPolicy, string? tierPolicy)
{
    private static readonly AsyncLocal<MeshCall?> Ambient = new();

    public static MeshCall? Current => Ambient.Value;

    public string? RoutingPolicy { get; } = routingPolicy;

    public string? TierPolicy { get; } = tierPolicy;

    /// <summary>What the coordinator sent with its first token, once it has.</summary>
    public MeshReport? Report { get; set; }

    /// <summary>Makes this the current call for the rest of the caller's async flow.</summary>
    public MeshCall Enter()
    {
        Ambient.Value = this;
        return this;
    }
}
