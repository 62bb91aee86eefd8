using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Orchestration;

/// <summary>The values of a local run, for one instance: loopback ports, the instances' URLs, parameter values.</summary>
internal sealed class RunValues(ResourceInstance? instance, Func<IReadOnlyList<ResourceInstance>> instances, (string Url, string ApiKey)? resourceService)
    : IEnvironmentValues
{
    public bool IsPublishMode => false;

    public string InstanceId => instance?.Name ?? string.Empty;

    public int ReplicaIndex => instance is null ? 0 : Math.Max(0, instances().Where(i => i.Resource == instance.Resource).ToList().IndexOf(instance));

    public string? HttpListenUrl => InstanceUrl;

    public string? InstanceUrl => instance?.Url?.ToString().TrimEnd('/');

    public string ListenUrl(int port) => $"http://127.0.0.1:{port}";

    public string UrlOf(Resource resource, int port) => $"http://127.0.0.1:{port}";

    public string AddressOf(Resource resource, int localPort, int containerPort) => $"127.0.0.1:{localPort}";

    public IReadOnlyList<string> HttpUrlsOf(Resource resource) =>
        [.. instances().Where(i => i.Resource == resource && i.Url is not null).Select(i => i.Url!.ToString().TrimEnd('/'))];

    public string ValueOf(ParameterResource parameter) => parameter.Value;

    public (string Url, string ApiKey)? ResourceService => resourceService;
}
