namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Engine replicas of the mesh: a Mesh.Engine project, every replica its own process with its own KV cache. Each replica
/// announces itself to the coordinators (a signed heartbeat in Redis, or its heartbeat endpoint) under the address it
/// listens on, so the coordinators reach each replica directly, never through a balancing proxy.
/// </summary>
public sealed class MeshEngineResource(string name, string tier) : ProjectResource(name)
{
    /// <summary><c>local</c> (the mesh's own GPUs) or <c>cloud</c> (the fallback tier).</summary>
    public string Tier { get; } = tier;
}
