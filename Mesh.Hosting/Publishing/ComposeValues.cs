using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>
/// Values inside a Compose service. A resource with replicas becomes one service per replica (<c>engine-0</c>, ...), so
/// each has a stable name to advertise; secrets are interpolated from the <c>.env</c> file beside the Compose file.
/// </summary>
internal sealed class ComposeValues(Resource resource, string serviceName, PublishOptions options) : ManifestValues(resource, options)
{
    public override string InstanceId => serviceName;

    protected override string InstanceHost => serviceName;

    public override IReadOnlyList<string> HttpUrlsOf(Resource resource) =>
        [.. ServiceNames(resource).Select(name => $"http://{name}:{HttpPortOf(resource)}")];

    protected override string SecretReference(string variable) => $"${{{variable}}}";

    public static IReadOnlyList<string> ServiceNames(Resource resource) =>
        resource.Replicas == 1 ? [resource.Name] : [.. Enumerable.Range(0, resource.Replicas).Select(i => $"{resource.Name}-{i}")];
}
