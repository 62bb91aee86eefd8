namespace Aspire.Hosting.ApplicationModel;

/// <summary>The GPUs each replica of a resource asks the cluster for when published (<c>nvidia.com/gpu</c>).</summary>
public sealed record GpuRequestAnnotation(int Count) : IResourceAnnotation;
