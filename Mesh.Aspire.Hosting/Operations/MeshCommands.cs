using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Contracts.Routing;
using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting.Lifecycle;

namespace Mesh.Aspire.Hosting.Operations;

/// <summary>
/// The mesh's resource commands, where an Aspire user looks for them (each replica's row in the dashboard): on an engine
/// replica, reset its KV cache, drain it (no new requests; those running finish) and resume it; on the coordinator,
/// choose the default routing policy. Each is enabled only while its replica runs, and answers with what it did.
/// </summary>
internal static class MeshCommands
{
    public const string ResetCache = "mesh-reset-cache";
    public const string Drain = "mesh-drain";
    public const string Resume = "mesh-resume";

    public static string UsePolicy(string policy) => $"mesh-policy-{policy}";

    public static IResourceBuilder<MeshEngineResource> WithEngineCommands(this IResourceBuilder<MeshEngineResource> engines)
    {
        AddServices(engines.ApplicationBuilder);
        var engine = engines.Resource;
        return engines
            .WithCommand(ResetCache, "Reset KV cache", context => Operations(context).ResetCacheAsync(engine, context.ResourceName, context.CancellationToken),
                Options("Empties this replica's KV cache under a new epoch: every coordinator drops what it knew of it.", "ArrowReset"))
            .WithCommand(Drain, "Drain", context => Operations(context).OnEveryCoordinatorAsync(Coordinators(context),
                    $"/v1/mesh/engines/{context.ResourceName}/drain", $"{context.ResourceName} gets no new requests; those it serves finish", context.CancellationToken),
                Options("Stops routing new requests to this replica; the requests it is serving finish.", "Pause"))
            .WithCommand(Resume, "Resume", context => Operations(context).OnEveryCoordinatorAsync(Coordinators(context),
                    $"/v1/mesh/engines/{context.ResourceName}/resume", $"{context.ResourceName} is routed to again", context.CancellationToken),
                Options("Routes new requests to this replica again.", "Play"));
    }

    public static IResourceBuilder<MeshCoordinatorResource> WithCoordinatorCommands(this IResourceBuilder<MeshCoordinatorResource> coordinator)
    {
        AddServices(coordinator.ApplicationBuilder);
        foreach (var policy in RoutingPolicyNames.All)
        {
            coordinator.WithCommand(UsePolicy(policy), $"Route by {policy}", context => Operations(context).OnEveryCoordinatorAsync(
                    context.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<MeshCoordinatorResource>().Where(c => c.Name == coordinator.Resource.Name),
                    $"/v1/mesh/policy/{policy}", $"Requests that name no policy are routed by {policy}", context.CancellationToken),
                Options($"Makes {policy} the default routing policy (a request may still name its own in x-mesh-policy).", "Router"));
        }
        return coordinator;
    }

    /// <summary>The services the commands and the state publisher share, once: one replica watcher, one HTTP client.</summary>
    internal static void AddServices(IDistributedApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(ReplicaAddresses)))
        {
            return;
        }
        builder.Services.AddSingleton<ReplicaAddresses>();
        builder.Services.AddSingleton<IDistributedApplicationEventingSubscriber>(provider => provider.GetRequiredService<ReplicaAddresses>());
        builder.Services.AddSingleton<MeshOperations>();
    }

    private static CommandOptions Options(string description, string icon) => new()
    {
        Description = description,
        IconName = icon,
        UpdateState = context => context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
    };

    private static MeshOperations Operations(ExecuteCommandContext context) => context.Services.GetRequiredService<MeshOperations>();

    private static IEnumerable<MeshCoordinatorResource> Coordinators(ExecuteCommandContext context) =>
        context.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<MeshCoordinatorResource>();
}
