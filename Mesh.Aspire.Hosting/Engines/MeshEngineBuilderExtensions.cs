using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Lifecycle;
using Mesh.Aspire.Hosting.Operations;
using Aspire.Hosting.Lifecycle;

namespace Aspire.Hosting;

public static class MeshEngineBuilderExtensions
{
    /// <summary>
    /// Adds Mesh engine replicas (a Mesh.Engine project) on the given tier. Each replica is healthy when its
    /// <c>/health</c> answers, advertises the address it listens on (its own port, not the endpoint's balancing proxy),
    /// and is started again when it exits on its own. Give it <c>WithReplicas</c>, <c>WithMeshSecret</c> and a Redis
    /// reference as for any project.
    /// </summary>
    public static IResourceBuilder<MeshEngineResource> AddMeshEngines<TProject>(this IDistributedApplicationBuilder builder, string name, string tier = "local")
        where TProject : IProjectMetadata, new() =>
        builder.AddMeshEngines(name, new TProject(), tier);

    /// <inheritdoc cref="AddMeshEngines{TProject}"/>
    public static IResourceBuilder<MeshEngineResource> AddMeshEngines(this IDistributedApplicationBuilder builder, string name, IProjectMetadata project, string tier = "local")
    {
        builder.Services.TryAddEventingSubscriber<RestartExitedReplicas>();
        builder.Services.TryAddEventingSubscriber<EngineStatePublisher>();
        return builder.AddResource(new MeshEngineResource(name, tier))
            .WithAnnotation(project)
            .WithProjectDefaults(new ProjectResourceOptions { ExcludeLaunchProfile = true })
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Engine__Tier", tier)
            .WithRestartOnExit()
            .WithBoundedTelemetryShutdown()
            .WithEngineCommands();
    }

    /// <summary>Sets one <c>Engine:</c> setting of every replica (<c>Engine__&lt;key&gt;</c>).</summary>
    public static IResourceBuilder<MeshEngineResource> WithEngineSetting(this IResourceBuilder<MeshEngineResource> builder, string key, string value) =>
        builder.WithEnvironment($"Engine__{key.Replace(":", "__", StringComparison.Ordinal)}", value);

    /// <summary>
    /// Spreads the replicas over these GPUs of this host, one each (<c>Engine:CudaDevices</c>: each replica claims the
    /// first one free when it starts). With one GPU or none, every replica sees what the host shows it. Published
    /// replicas get their GPUs from the cluster instead (<see cref="WithGpus"/>).
    /// </summary>
    public static IResourceBuilder<MeshEngineResource> WithCudaDevices(this IResourceBuilder<MeshEngineResource> builder, IReadOnlyList<string> devices) =>
        devices.Count < 2
            ? builder
            : builder.WithEnvironment(context =>
            {
                if (context.ExecutionContext.IsRunMode)
                {
                    context.EnvironmentVariables["Engine__CudaDevices"] = string.Join(',', devices);
                }
            });

    /// <summary>GPUs each replica requests when published (<c>nvidia.com/gpu</c>); a local run ignores it.</summary>
    public static IResourceBuilder<MeshEngineResource> WithGpus(this IResourceBuilder<MeshEngineResource> builder, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return builder.WithAnnotation(new GpuRequestAnnotation(count), ResourceAnnotationMutationBehavior.Replace);
    }
}
