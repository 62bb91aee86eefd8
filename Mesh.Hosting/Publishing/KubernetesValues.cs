using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>Values inside a pod: its name and IP come from the downward API, secrets from the mesh's Secret, through <c>$(VAR)</c> expansion.</summary>
internal sealed class KubernetesValues(Resource resource, PublishOptions options) : ManifestValues(resource, options)
{
    public const string PodName = "POD_NAME";
    public const string PodIp = "POD_IP";

    public override string InstanceId => $"$({PodName})";

    protected override string InstanceHost => $"$({PodIp})";

    /// <summary>A Service balances the replicas, so a reference names the Service once.</summary>
    public override IReadOnlyList<string> HttpUrlsOf(Resource resource) => [$"http://{resource.Name}:{HttpPortOf(resource)}"];

    protected override string SecretReference(string variable) => $"$({variable})";
}
