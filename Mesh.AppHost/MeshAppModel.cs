using System.Globalization;
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
        var redis = builder.AddRedis("redis").WithRestartPolicy(RestartPolicy.WithBackoff);
        var engines = Engine(builder.AddProject("engine", "Mesh.Engine"), redis, secret, options.Engines, tier: "local")
            .WithReplicas(options.Engines.Replicas);

        var coordinator = builder.AddProject("coordinator", "Mesh.Coordinator")
            .WithReplicas(options.Coordinator.Replicas)
            .WithHttpHealthCheck()
            .WithReference(redis)
            .WithReference(engines)
            .WithEnvironment(SecretEnvironment, secret)
            .WaitFor(redis)
            .WithEnvironment("Coordinator__DefaultPolicy", options.Coordinator.Policy)
            .WithEnvironment("Coordinator__DefaultTierPolicy", options.Coordinator.TierPolicy);
        if (options.Coordinator.PrefixTtl is { } ttl)
        {
            coordinator.WithEnvironment("Coordinator__PrefixIndex__Ttl", ttl.ToString("c", CultureInfo.InvariantCulture));
        }
        if (options.Coordinator.ApiKey is { Length: > 0 } key)
        {
            coordinator.WithEnvironment("Coordinator__ApiKey", key);
        }
        if (options.Coordinator.Port > 0 && options.Coordinator.Replicas == 1)
        {
            coordinator.WithHttpEndpoint(options.Coordinator.Port);
        }

        if (options.Cloud.Enabled && options.Cloud.Url is { Length: > 0 } url)
        {
            coordinator
                .WithEnvironment("Coordinator__StaticBackends__0__Name", "cloud")
                .WithEnvironment("Coordinator__StaticBackends__0__Url", url)
                .WithEnvironment("Coordinator__StaticBackends__0__Tier", "cloud")
                .WithEnvironment("Coordinator__StaticBackends__0__ApiKey", options.Cloud.ApiKey ?? string.Empty)
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
                workflow.WithEnvironment("Mesh__ApiKey", workflowKey);
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

    private const string SecretEnvironment = "Mesh__Secret";

    private static IResourceBuilder<ProjectResource> Engine(
        IResourceBuilder<ProjectResource> engine, IResourceBuilder<RedisResource> redis, ParameterResource secret, MeshAppOptions.EngineSettings settings, string tier)
    {
        engine.WithHttpHealthCheck()
            .WithReference(redis)
            .WithEnvironment(SecretEnvironment, secret)
            .WaitFor(redis)
            .WithEnvironment("Engine__Model", settings.Model)
            .WithEnvironment("Engine__Tier", tier)
            .WithEnvironment("Engine__Simulated", settings.Simulated ? "true" : "false");
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
