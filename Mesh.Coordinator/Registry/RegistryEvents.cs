using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Registry;

/// <summary>Connects the registry's events to their consequences: a retired instance's prefix metadata is dropped, an unknown sender is counted.</summary>
public sealed class RegistryEvents(EngineRegistry registry, IPrefixIndex prefixIndex, CoordinatorMetrics metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        registry.InstanceRetired += OnRetired;
        registry.UnknownSender += metrics.UnknownSender;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        registry.InstanceRetired -= OnRetired;
        registry.UnknownSender -= metrics.UnknownSender;
        return Task.CompletedTask;
    }

    private void OnRetired(string engineId, long epoch) => _ = prefixIndex.DropAsync(engineId, epoch, CancellationToken.None).AsTask();
}
