using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Operations;

namespace Aspire.Hosting;

public static class MeshCoordinatorBuilderExtensions
{
    /// <summary>
    /// Adds the mesh's coordinator (a Mesh.Coordinator project): the OpenAI-compatible endpoint clients call. It is
    /// healthy when its <c>/health</c> answers. Give it the engines (<see cref="WithEngines"/>), the mesh secret and a Redis.
    /// </summary>
    public static IResourceBuilder<MeshCoordinatorResource> AddMeshCoordinator<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddMeshCoordinator(name, new TProject());

    /// <inheritdoc cref="AddMeshCoordinator{TProject}"/>
    public static IResourceBuilder<MeshCoordinatorResource> AddMeshCoordinator(this IDistributedApplicationBuilder builder, string name, IProjectMetadata project) =>
        builder.AddResource(new MeshCoordinatorResource(name))
            .WithAnnotation(project)
            .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true })
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithUrls(context =>
            {
                // The routing view, one click from the coordinator's row in the dashboard.
                if (context.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http") is { } http)
                {
                    context.Urls.Add(new ResourceUrlAnnotation { Url = http.Url.TrimEnd('/') + "/mesh", DisplayText = "Routing view", Endpoint = http.Endpoint });
                }
            })
            .WithBoundedTelemetryShutdown()
            .WithCoordinatorCommands();

    /// <summary>
    /// Serves clients on a fixed port of this machine (the URL people paste), straight from the coordinator's own
    /// socket: a single coordinator is not put behind DCP's proxy, which would add a hop to every request.
    /// </summary>
    public static IResourceBuilder<MeshCoordinatorResource> WithClientPort(this IResourceBuilder<MeshCoordinatorResource> builder, int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        return builder.WithEndpoint("http", endpoint =>
        {
            endpoint.Port = port;
            endpoint.TargetPort = port;
            endpoint.IsProxied = false;
        });
    }

    /// <summary>
    /// Routes to these engines. With Redis the coordinator finds every replica by its signed heartbeat; without it, it
    /// polls the engines' heartbeat endpoints through this reference (<c>services__&lt;name&gt;__http__0</c>).
    /// </summary>
    public static IResourceBuilder<MeshCoordinatorResource> WithEngines(this IResourceBuilder<MeshCoordinatorResource> builder, IResourceBuilder<MeshEngineResource> engines) =>
        builder.WithReference(engines);

    /// <summary>Requires <c>Authorization: Bearer &lt;key&gt;</c> of every client (<c>Coordinator:ApiKey</c>); the AppHost's own calls send it.</summary>
    public static IResourceBuilder<MeshCoordinatorResource> WithApiKey(this IResourceBuilder<MeshCoordinatorResource> builder, IResourceBuilder<ParameterResource> apiKey) =>
        builder.WithEnvironment("Coordinator__ApiKey", apiKey).WithAnnotation(new CoordinatorApiKeyAnnotation(apiKey.Resource), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>Sets one <c>Coordinator:</c> setting (<c>Coordinator__&lt;key&gt;</c>).</summary>
    public static IResourceBuilder<MeshCoordinatorResource> WithCoordinatorSetting(this IResourceBuilder<MeshCoordinatorResource> builder, string key, string value) =>
        builder.WithEnvironment($"Coordinator__{key.Replace(":", "__", StringComparison.Ordinal)}", value);

    /// <summary>
    /// An OpenAI-compatible server the coordinator routes to without prefix awareness (the cloud tier, a provider):
    /// <c>Coordinator:StaticBackends:&lt;index&gt;</c>, its key kept as a secret parameter.
    /// </summary>
    public static IResourceBuilder<MeshCoordinatorResource> WithStaticBackend(this IResourceBuilder<MeshCoordinatorResource> builder,
        int index, string name, string url, string tier, IResourceBuilder<ParameterResource> apiKey, string? model)
    {
        var prefix = $"Coordinator__StaticBackends__{index}__";
        return builder
            .WithEnvironment(prefix + "Name", name)
            .WithEnvironment(prefix + "Url", url)
            .WithEnvironment(prefix + "Tier", tier)
            .WithEnvironment(prefix + "ApiKey", apiKey)
            .WithEnvironment(prefix + "Model", model ?? string.Empty);
    }
}
