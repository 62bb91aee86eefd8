using System.Globalization;
using Mesh.Contracts.Compute;
using Mesh.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Mesh.AppHost;

/// <summary>
/// The mesh's app model, used by <c>Program</c> and by the tests' testing builder: Redis, the local engine replicas,
/// a cloud-tier engine (or a real provider), the coordinator referencing all of them, the Semantic Kernel
/// workflow, and the dashboard.
/// </summary>
public static class MeshAppModel
{
    public static MeshAppOptions Define(IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(MeshAppOptions.Section).Get<MeshAppOptions>() ?? new MeshAppOptions();
        if (options.Dashboard)
        {
            var settings = new DashboardSettings();
            builder.Configuration.GetSection("Dashboard").Bind(settings);
            builder.AddDashboard("dashboard", "Mesh.Dashboard", settings);
        }

        // Signs heartbeats and guards the engines' API; generated for each run unless Parameters:mesh-secret is set.
        var secret = builder.AddParameter(SecretParameter, secret: true);
        var redis = Redis(builder, options.Redis);
        var engines = Engine(builder.AddProject("engine", "Mesh.Engine"), redis, secret, options.Engines, tier: "local")
            .WithReplicas(options.Engines.Replicas);
        if (options.Engines.Gpus > 0)
        {
            engines.WithGpus(options.Engines.Gpus);
        }

        var coordinator = redis(builder.AddProject("coordinator", "Mesh.Coordinator")
            .WithReplicas(options.Coordinator.Replicas)
            .WithHttpHealthCheck()
            .WithReference(engines)
            .WithEnvironment(SecretEnvironment, secret))
            .WithEnvironment("Coordinator__DefaultPolicy", options.Coordinator.Policy)
            .WithEnvironment("Coordinator__DefaultTierPolicy", options.Coordinator.TierPolicy);
        if (options.Coordinator.PrefixTtl is { } ttl)
        {
            coordinator.WithEnvironment("Coordinator__PrefixIndex__Ttl", ttl.ToString("c", CultureInfo.InvariantCulture));
        }
        if (options.Coordinator.ApiKey is { Length: > 0 } key)
        {
            coordinator.WithEnvironment("Coordinator__ApiKey", new ParameterResource("coordinator-api-key", key, secret: true));
        }
        if (options.Coordinator.Replicas == 1)
        {
            if (options.Coordinator.Port > 0)
            {
                coordinator.WithHttpEndpoint(options.Coordinator.Port);
            }
        }
        else
        {
            // N coordinators share the prefix index and the engines' load through Redis; a round-robin front takes the usual port.
            var front = builder.AddProject(FrontResource, "Mesh.Front")
                .WithHttpHealthCheck()
                .WithReference(coordinator)
                .WaitFor(coordinator)
                .WithEnvironment("Front__Service", coordinator.Resource.Name);
            if (options.Coordinator.Port > 0)
            {
                front.WithHttpEndpoint(options.Coordinator.Port);
            }
        }

        if (options.Cloud.Enabled && options.Cloud.Url is { Length: > 0 } url)
        {
            coordinator
                .WithEnvironment("Coordinator__StaticBackends__0__Name", "cloud")
                .WithEnvironment("Coordinator__StaticBackends__0__Url", url)
                .WithEnvironment("Coordinator__StaticBackends__0__Tier", "cloud")
                .WithEnvironment("Coordinator__StaticBackends__0__ApiKey", new ParameterResource("cloud-api-key", options.Cloud.ApiKey ?? string.Empty, secret: true))
                .WithEnvironment("Coordinator__StaticBackends__0__Model", options.Cloud.Model ?? string.Empty);
        }
        else if (options.Cloud.Enabled)
        {
            var cloud = Engine(builder.AddProject("cloud", "Mesh.Engine"), redis, secret, options.Engines, tier: "cloud")
                .WithEnvironment("Engine__Id", "cloud");
            coordinator.WithReference(cloud);
        }

        if (options.Workflow.Enabled)
        {
            // MoFA's demo as a Semantic Kernel workflow, calling the coordinator as any application would.
            var workflow = builder.AddProject("workflow", "Mesh.Workflow")
                .WithHttpHealthCheck()
                .WithReference(coordinator)
                .WaitFor(coordinator)
                .WithEnvironment("Workflow__Model", $"mesh-{options.Engines.Model}");
            if (options.Coordinator.ApiKey is { Length: > 0 } workflowKey)
            {
                workflow.WithEnvironment("Mesh__ApiKey", new ParameterResource("coordinator-api-key", workflowKey, secret: true));
            }
            if (options.Workflow.Port > 0)
            {
                workflow.WithHttpEndpoint(options.Workflow.Port);
            }
        }
        return options;
    }

    /// <summary>The parameter holding the mesh secret.</summary>
    public const string SecretParameter = "mesh-secret";

    /// <summary>The front that balances N coordinators (present when <c>Mesh:Coordinator:Replicas</c> is above 1).</summary>
    public const string FrontResource = "front";

    private const string SecretEnvironment = "Mesh__Secret";

    /// <summary>
    /// What connects a service to Redis: a reference to the app's own <c>redis-server</c> (waited for), or, when
    /// <c>Mesh:Redis:ConnectionString</c> names an external one, that connection string as a secret.
    /// </summary>
    private static Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> Redis(IDistributedApplicationBuilder builder, MeshAppOptions.RedisSettings settings)
    {
        if (settings.ConnectionString is { Length: > 0 } external)
        {
            var connectionString = new ParameterResource("redis-connection-string", external, secret: true);
            return service => service.WithEnvironment("ConnectionStrings__redis", connectionString);
        }
        var redis = builder.AddRedis("redis").WithRestartPolicy(RestartPolicy.WithBackoff);
        return service => service.WithReference(redis).WaitFor(redis);
    }

    private static IResourceBuilder<ProjectResource> Engine(
        IResourceBuilder<ProjectResource> engine, Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> redis, ParameterResource secret,
        MeshAppOptions.EngineSettings settings, string tier)
    {
        redis(engine.WithHttpHealthCheck())
            .WithEnvironment(SecretEnvironment, secret)
            // The URL this instance advertises in its heartbeat: its own port here, its pod's IP in Kubernetes.
            .WithEnvironment(context =>
            {
                if (context.Values.InstanceUrl is { } url)
                {
                    context.Environment["Engine__PublicUrl"] = url;
                }
            })
            .WithEnvironment("Engine__Model", settings.Model)
            .WithEnvironment("Engine__Tier", tier)
            .WithEnvironment("Engine__Simulated", settings.Simulated ? "true" : "false")
            .WithEnvironment("Engine__Backend", settings.Backend);
        if (!settings.Simulated && settings.Backend != ComputeBackendNames.Cpu)
        {
            engine.WithGpuPerReplica(CudaDevices.Visible(settings.CudaDevices ?? Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")));
        }
        if (settings.KvCapacityBlocks > 0)
        {
            engine.WithEnvironment("Engine__KvCapacityBlocks", settings.KvCapacityBlocks.ToString(CultureInfo.InvariantCulture));
        }
        if (settings.Simulated && settings.SimulatedContextWindow > 0)
        {
            engine.WithEnvironment("Engine__Simulation__ContextWindow", settings.SimulatedContextWindow.ToString(CultureInfo.InvariantCulture));
        }
        if (settings.HeartbeatInterval is { } interval)
        {
            engine.WithEnvironment("Engine__HeartbeatInterval", interval.ToString("c", CultureInfo.InvariantCulture));
        }
        if (settings.RestartOnExit)
        {
            engine.WithRestartPolicy(RestartPolicy.WithBackoff);
        }
        return engine;
    }
}
