namespace Mesh.Hosting.ApplicationModel;

/// <summary>A resource's own health probe (Redis answers PING); without one, an HTTP health path or a live process counts.</summary>
public sealed class HealthCheckAnnotation(Func<CancellationToken, Task<bool>> check) : IResourceAnnotation
{
    public Func<CancellationToken, Task<bool>> Check { get; } = check;
}
