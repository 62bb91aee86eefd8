namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// One resource of the app model as a target runs it: its image and arguments, the environment its callbacks compute
/// (values resolved for the target), its ports and probes, and what the mesh attached to it.
/// </summary>
internal sealed record PublishedResource(
    string Name,
    string Image,
    int Replicas,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<PublishedPort> Ports,
    string? ReadinessPath,
    string? LivenessPath,
    int Gpus,
    bool RestartOnExit,
    IReadOnlyList<string> DependsOn,
    IReadOnlyCollection<SecretValue> Secrets,
    bool AdvertisesEachReplica)
{
    /// <summary>The port HTTP probes ask on: the first HTTP port.</summary>
    public int? HttpPort => Ports.FirstOrDefault(p => p.Http)?.ContainerPort;
}

/// <summary>A port a published resource serves: its name, the port inside the container, whether it speaks HTTP, and the host port when the app model fixes one.</summary>
internal sealed record PublishedPort(string Name, int ContainerPort, bool Http, int? HostPort);

/// <summary>A secret parameter a resource refers to: the name the target keeps it under, the variable it is injected as, and its value.</summary>
internal sealed record SecretValue(string Name, string Variable, string Value);
