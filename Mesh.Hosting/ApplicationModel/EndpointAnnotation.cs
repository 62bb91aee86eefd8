namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// A port a resource serves besides its HTTP endpoint (Redis's 6379, the dashboard's OTLP ports), as its container
/// exposes it; published manifests open it on the resource's service.
/// </summary>
public sealed record EndpointAnnotation(string Name, int ContainerPort) : IResourceAnnotation;
