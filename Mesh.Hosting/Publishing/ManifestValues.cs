using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>
/// The values of a published resource: every HTTP service listens on all interfaces at its container port, other
/// resources are reached by service name, and a secret parameter becomes a reference the target resolves at run
/// time (recorded here so the publisher writes the secret itself once).
/// </summary>
internal abstract class ManifestValues(Resource resource, PublishOptions options) : IEnvironmentValues
{
    private readonly SortedDictionary<string, ParameterResource> _secrets = new(StringComparer.Ordinal);

    public Resource Resource { get; } = resource;

    public PublishOptions Options { get; } = options;

    /// <summary>The secrets this resource's environment and arguments refer to.</summary>
    public IReadOnlyCollection<ParameterResource> Secrets => _secrets.Values;

    /// <summary>True once the environment asked for the instance's own URL: the resource advertises each replica.</summary>
    public bool AdvertisesInstance { get; private set; }

    public bool IsPublishMode => true;

    public abstract string InstanceId { get; }

    public int ReplicaIndex => 0;

    public string? HttpListenUrl => Resource.HasHttpEndpoint ? ListenUrl(HttpPortOf(Resource)) : null;

    public string? InstanceUrl
    {
        get
        {
            AdvertisesInstance = true;
            return Resource.HasHttpEndpoint ? $"http://{InstanceHost}:{HttpPortOf(Resource)}" : null;
        }
    }

    /// <summary>The host other services reach this replica at.</summary>
    protected abstract string InstanceHost { get; }

    public string ListenUrl(int port) => $"http://0.0.0.0:{port}";

    public string UrlOf(Resource resource, int port) => $"http://{resource.Name}:{port}";

    public string AddressOf(Resource resource, int localPort, int containerPort) => $"{resource.Name}:{containerPort}";

    public abstract IReadOnlyList<string> HttpUrlsOf(Resource resource);

    public string ValueOf(ParameterResource parameter)
    {
        if (!parameter.Secret)
        {
            return parameter.Value;
        }
        _secrets[parameter.Name] = parameter;
        return SecretReference(EnvironmentNameOf(parameter));
    }

    /// <summary>How the target refers to a secret it injects as <paramref name="variable"/>.</summary>
    protected abstract string SecretReference(string variable);

    public (string Url, string ApiKey)? ResourceService => null;

    public int HttpPortOf(Resource resource) => resource.FixedPort ?? Options.HttpPort;

    /// <summary><c>mesh-secret</c> is injected as <c>MESH_SECRET</c>.</summary>
    public static string EnvironmentNameOf(ParameterResource parameter) => parameter.Name.ToUpperInvariant().Replace('-', '_');

    public string ImageOf(ContainerImageAnnotation image) =>
        image.BuiltFromProject
            ? $"{(string.IsNullOrEmpty(Options.Registry) ? string.Empty : Options.Registry.TrimEnd('/') + "/")}{image.Image}:{Options.Tag}"
            : image.Image;
}
