using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Feedback;

/// <summary>
/// Connects the registry's events to their consequences: a retired instance's prefix metadata is dropped, an unknown
/// sender is counted, a joining engine's counters enter the scrape at zero, and the active-engines gauge reads the registry.
/// </summary>
internal sealed class RegistryEvents(EngineRegistry registry, IPrefixIndex prefixIndex, CoordinatorMetrics metrics, RoutingPolicies policies) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.InstanceRetired += OnRetired;
        registry.UnknownSender += metrics.UnknownSender;
        registry.EngineJoined += OnJoined;
        metrics.ObserveActiveEngines(() => registry.RoutableCount);
        foreach (var engine in registry.Engines)
        {
            OnJoined(engine);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        registry.InstanceRetired -= OnRetired;
        registry.UnknownSender -= metrics.UnknownSender;
        registry.EngineJoined -= OnJoined;
        return Task.CompletedTask;
    }

    private void OnJoined(EngineEntry engine) => metrics.EngineJoined(engine.Id, engine.TierName, policies.Names);

    private void OnRetired(EngineInstance instance) => _ = prefixIndex.DropAsync(instance, CancellationToken.None).AsTask();
}
