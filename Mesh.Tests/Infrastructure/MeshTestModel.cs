using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// The pieces of the mesh for small test app models, on the mesh's own hosting integration: engines on the tiny model
/// and coordinators, each with the settings the tests need, named by the id the mesh knows them by.
/// </summary>
public static class MeshTestModel
{
    /// <summary>Fast heartbeats, so joins, leaves and restarts show within a few hundred ms.</summary>
    public static readonly string[] FastEngine = ["--Engine:Model=tiny", "--Engine:HeartbeatInterval=00:00:00.200"];

    /// <summary>Fast registry refreshes and a short queue timeout.</summary>
    public static readonly string[] FastCoordinator = ["--Coordinator:RegistryRefreshInterval=00:00:00.100", "--Coordinator:QueueTimeout=00:00:01"];

    public static IProjectMetadata Project(string name) => new ProjectAtPath(Path.Combine(Repository.Root, name, name + ".csproj"));

    /// <summary>A project of the repository on a free loopback port, healthy when <c>/health</c> answers.</summary>
    public static IResourceBuilder<ProjectResource> AddService(this IDistributedApplicationBuilder builder, string name, string project, params string[] arguments) =>
        builder.AddResource(new ProjectResource(name))
            .WithAnnotation(Project(project))
            .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true })
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithArgs(arguments);

    /// <summary>An engine with fast heartbeats, registered in <paramref name="redis"/> (when given) under <paramref name="id"/>.</summary>
    public static IResourceBuilder<MeshEngineResource> AddMeshEngine(
        this IDistributedApplicationBuilder builder, string id, IResourceBuilder<IResourceWithConnectionString>? redis, string tier = "local", params string[] arguments)
    {
        var engine = builder.AddMeshEngines(id, Project("Mesh.Engine"), tier).WithArgs([.. FastEngine, $"--Engine:Id={id}", .. arguments]);
        return redis is null ? engine : engine.WithReference(redis).WaitFor(redis);
    }

    /// <summary>A coordinator with fast registry refreshes that finds its engines in <paramref name="redis"/>.</summary>
    public static IResourceBuilder<MeshCoordinatorResource> AddMeshCoordinator(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<IResourceWithConnectionString>? redis, params string[] arguments)
    {
        var coordinator = builder.AddMeshCoordinator(name, Project("Mesh.Coordinator")).WithArgs([.. FastCoordinator, .. arguments]);
        return redis is null ? coordinator : coordinator.WithReference(redis).WaitFor(redis);
    }

    /// <summary>Waits until a coordinator routes to exactly the engines named.</summary>
    public static Task WaitForEnginesAsync(HttpClient coordinator, Func<string> logs, params string[] ids) =>
        Eventually.MatchAsync(async () =>
            {
                var state = await OpenAIClient.GetJsonAsync(coordinator, "/v1/mesh/engines");
                return state["engines"]!.AsArray().Where(e => (bool)e!["routable"]!).Select(e => (string)e!["id"]!).Order(StringComparer.Ordinal).ToArray();
            },
            seen => seen.SequenceEqual(ids.Order(StringComparer.Ordinal)),
            seen => $"the coordinator routes to [{string.Join(", ", seen)}], not [{string.Join(", ", ids)}].\n{logs()}");
}
