namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The mesh's OpenAI-compatible gateway: a Mesh.Coordinator project. Replicas share the prefix index and the engines'
/// load through Redis, so a client may reach any of them.
/// </summary>
public sealed class MeshCoordinatorResource(string name) : ProjectResource(name);
