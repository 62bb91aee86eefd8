using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Values inside a Compose service. A resource with replicas becomes one service per replica (<c>engine-0</c>, ...), so
/// each has a stable name to advertise; secrets are interpolated from the <c>.env</c> file beside the Compose file.
/// </summary>
internal sealed class ComposeValues(MeshPublishOptions options, string serviceName) : TargetValues(options)
{
    public override string InstanceId => serviceName;

    public override string InstanceHost => serviceName;

    /// <summary>A resource with replicas has no service of its own name: a single reference names its first replica.</summary>
    public override string HostOf(IResource resource) => ServiceNames(resource)[0];

    protected override string SecretReference(string variable) => $"${{{variable}}}";

    public static IReadOnlyList<string> ServiceNames(IResource resource) =>
        Replicas(resource) == 1 ? [resource.Name] : [.. Enumerable.Range(0, Replicas(resource)).Select(i => $"{resource.Name}-{i}")];

    public static int Replicas(IResource resource) => resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;
}
