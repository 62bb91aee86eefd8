namespace Mesh.Hosting.ApplicationModel;

/// <summary>GPUs each published replica requests (<c>nvidia.com/gpu</c> in Kubernetes, an NVIDIA device reservation in Compose).</summary>
public sealed record GpuAnnotation(int Count) : IResourceAnnotation;
