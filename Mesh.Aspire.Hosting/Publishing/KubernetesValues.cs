namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>Values inside a pod: its name and IP come from the downward API, secrets from the mesh's Secret, through <c>$(VAR)</c> expansion.</summary>
internal sealed class KubernetesValues(MeshPublishOptions options) : TargetValues(options)
{
    public const string PodName = "POD_NAME";
    public const string PodIp = "POD_IP";

    public override string InstanceId => $"$({PodName})";

    public override string InstanceHost => $"$({PodIp})";

    protected override string SecretReference(string variable) => $"$({variable})";
}
