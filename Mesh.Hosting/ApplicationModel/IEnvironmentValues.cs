namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// The values an environment callback asks for, resolved by where the resource runs: locally (one instance, on
/// 127.0.0.1) or in a published manifest (a Kubernetes pod, a Compose service), where addresses are service names
/// and secrets are references rather than values.
/// </summary>
public interface IEnvironmentValues
{
    /// <summary>True when writing manifests: no process is launched, no port is allocated.</summary>
    bool IsPublishMode { get; }

    /// <summary>The instance's own name (<c>service.instance.id</c>): a replica's name, a pod's name.</summary>
    string InstanceId { get; }

    /// <summary>The instance's place among its resource's replicas (0 for the first); 0 when published, where every replica shares one spec.</summary>
    int ReplicaIndex { get; }

    /// <summary>Where the instance's HTTP endpoint listens (<c>ASPNETCORE_URLS</c>); null without one.</summary>
    string? HttpListenUrl { get; }

    /// <summary>Where other services reach this very instance (an engine advertises it in its heartbeat); null without an HTTP endpoint.</summary>
    string? InstanceUrl { get; }

    /// <summary>A URL to listen on at <paramref name="port"/> (loopback locally, every interface in a container).</summary>
    string ListenUrl(int port);

    /// <summary>The URL of <paramref name="resource"/> at <paramref name="port"/>, as seen from this instance.</summary>
    string UrlOf(Resource resource, int port);

    /// <summary><c>host:port</c> of <paramref name="resource"/>: its local port when run, its container port when published.</summary>
    string AddressOf(Resource resource, int localPort, int containerPort);

    /// <summary>The HTTP URLs a reference to <paramref name="resource"/> injects (<c>services__&lt;name&gt;__http__&lt;i&gt;</c>).</summary>
    IReadOnlyList<string> HttpUrlsOf(Resource resource);

    /// <summary>A parameter's value; in a manifest a secret becomes a reference to where the secret is kept.</summary>
    string ValueOf(ParameterResource parameter);

    /// <summary>The orchestrator's resource service for the dashboard (local runs only).</summary>
    (string Url, string ApiKey)? ResourceService { get; }
}
