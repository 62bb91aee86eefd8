using System.Globalization;
using Mesh.Aspire.Hosting.Engines;
using Mesh.Aspire.Hosting.Redis;
using Mesh.Contracts.Compute;
using Microsoft.Extensions.Configuration;

namespace Mesh.AppHost;

/// <summary>
/// The demo mesh on the hosting integration: Redis, the local engine replicas, a cloud-tier engine (or a real provider),
/// the coordinator referencing all of them, and the Semantic Kernel workflow. Aspire runs the dashboard itself.
/// </summary>
public static class MeshAppModel
{
    /// <summary>The parameter holding the mesh secret.</summary>
    public const string SecretParameter = "mesh-secret";

    /// <summary>The front that balances N coordinators (present when <c>Mesh:Coordinator:Replicas</c> is above 1).</summary>
    public const string FrontResource = "front";

    public static async Task<MeshApp> DefineAsync(IDistributedApplicationBuilder builder)
    {
        var options = MeshAppSettings.Read(builder.Configuration);
        var secret = builder.AddMeshSecret(SecretParameter);
        var redisChoice = await builder.ChooseRedisAsync(options.RedisMode, options.Settings.Redis.ConnectionString);
        var redis = builder.AddMeshRedis("redis", redisChoice, options.Settings.Redis.ConnectionString);

        var engineSettings = options.Settings.Engines;
        var engines = Engine(builder.AddMeshEngines<Projects.Mesh_Engine>("engine"), redis, secret, engineSettings)
            .WithReplicas(engineSettings.Replicas);
        if (engineSettings.Gpus > 0)
        {
            engines.WithGpus(engineSettings.Gpus);
        }

        var coordinatorSettings = options.Settings.Coordinator;
        var coordinator = WithRedis(builder.AddMeshCoordinator<Projects.Mesh_Coordinator>("coordinator"), redis)
            .WithReplicas(coordinatorSettings.Replicas)
            .WithEngines(engines)
            .WithMeshSecret(secret)
            .WithCoordinatorSetting("DefaultPolicy", coordinatorSettings.Policy)
            .WithCoordinatorSetting("DefaultTierPolicy", coordinatorSettings.TierPolicy);
        if (coordinatorSettings.PrefixTtl is { } ttl)
        {
            coordinator.WithCoordinatorSetting("PrefixIndex:Ttl", ttl.ToString("c", CultureInfo.InvariantCulture));
        }
        IResourceBuilder<ParameterResource>? apiKey = coordinatorSettings.ApiKey is { Length: > 0 } key
            ? builder.AddParameter("coordinator-api-key", key, secret: true)
            : null;
        if (apiKey is not null)
        {
            coordinator.WithApiKey(apiKey);
        }

        // Clients reach one coordinator on its own socket; N coordinators share the prefix index and the engines' load
        // through Redis, behind a round-robin front on the usual port.
        IResourceBuilder<IResourceWithServiceDiscovery> entry = coordinator;
        var port = coordinatorSettings.Port > 0 ? coordinatorSettings.Port : (int?)null;
        if (coordinatorSettings.Replicas == 1)
        {
            if (port is { } clientPort)
            {
                coordinator.WithClientPort(clientPort);
            }
        }
        else
        {
            entry = builder.AddProject<Projects.Mesh_Front>(FrontResource)
                .WithHttpEndpoint(port: port, name: "http")
                .WithHttpHealthCheck("/health")
                .WithBoundedTelemetryShutdown()
                .WithReference(coordinator)
                .WaitFor(coordinator)
                .WithEnvironment("Front__Service", coordinator.Resource.Name)
                // Locally the replicas share one address, Aspire's endpoint proxy, which balances connections.
                .WithEnvironment(context =>
                {
                    if (context.ExecutionContext.IsRunMode)
                    {
                        context.EnvironmentVariables["Front__ConnectionPerRequest"] = "true";
                    }
                });
        }

        var cloud = options.Settings.Cloud;
        if (cloud.Enabled && cloud.Url is { Length: > 0 } url)
        {
            coordinator.WithStaticBackend(0, "cloud", url, "cloud", builder.AddParameter("cloud-api-key", cloud.ApiKey ?? string.Empty, secret: true), cloud.Model);
        }
        else if (cloud.Enabled)
        {
            var cloudEngine = Engine(builder.AddMeshEngines<Projects.Mesh_Engine>("cloud", tier: "cloud"), redis, secret, engineSettings)
                .WithEngineSetting("Id", "cloud");
            coordinator.WithEngines(cloudEngine);
        }

        IResourceBuilder<ProjectResource>? workflow = null;
        if (options.Settings.Workflow.Enabled)
        {
            // MoFA's demo as a Semantic Kernel workflow, calling the coordinator as any application would.
            workflow = builder.AddProject<Projects.Mesh_Workflow>("workflow")
                .WithHttpEndpoint(port: options.Settings.Workflow.Port > 0 ? options.Settings.Workflow.Port : null, name: "http")
                .WithHttpHealthCheck("/health")
                .WithBoundedTelemetryShutdown()
                .WithReference(entry)
                .WaitFor(entry)
                .WithEnvironment("Workflow__Model", $"mesh-{engineSettings.Model}");
            if (apiKey is not null)
            {
                workflow.WithEnvironment("Mesh__ApiKey", apiKey);
            }
        }
        // `--operation publish` writes Kubernetes manifests and a Compose file from this model (Aspire's manifest too, with `--publisher manifest`).
        builder.AddMeshKubernetesPublisher().AddMeshComposePublisher();
        return new MeshApp(options.Settings, redisChoice, (IResourceWithEndpoints)entry.Resource, workflow?.Resource);
    }

    private static IResourceBuilder<T> WithRedis<T>(IResourceBuilder<T> service, IResourceBuilder<IResourceWithConnectionString>? redis)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        redis is null ? service : service.WithReference(redis).WaitFor(redis);

    private static IResourceBuilder<MeshEngineResource> Engine(IResourceBuilder<MeshEngineResource> engine,
        IResourceBuilder<IResourceWithConnectionString>? redis, IResourceBuilder<ParameterResource> secret, MeshAppOptions.EngineSettings settings)
    {
        WithRedis(engine, redis)
            .WithMeshSecret(secret)
            .WithEngineSetting("Model", settings.Model)
            .WithEngineSetting("Simulated", settings.Simulated ? "true" : "false")
            .WithEngineSetting("Backend", settings.Backend);
        if (settings.KvCapacityBlocks > 0)
        {
            engine.WithEngineSetting("KvCapacityBlocks", settings.KvCapacityBlocks.ToString(CultureInfo.InvariantCulture));
        }
        if (settings.Simulated && settings.SimulatedContextWindow > 0)
        {
            engine.WithEngineSetting("Simulation:ContextWindow", settings.SimulatedContextWindow.ToString(CultureInfo.InvariantCulture));
        }
        if (settings.HeartbeatInterval is { } interval)
        {
            engine.WithEngineSetting("HeartbeatInterval", interval.ToString("c", CultureInfo.InvariantCulture));
        }
        if (!settings.Simulated && settings.Backend != ComputeBackendNames.Cpu)
        {
            engine.WithCudaDevices(CudaDevices.Visible(settings.CudaDevices ?? Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")));
        }
        if (!settings.RestartOnExit)
        {
            engine.Resource.Annotations.Remove(engine.Resource.Annotations.OfType<RestartOnExitAnnotation>().Single());
        }
        return engine;
    }
}
