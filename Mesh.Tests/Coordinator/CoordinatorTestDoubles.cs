using Mesh.Contracts.Registry;
using Mesh.Coordinator;
using Mesh.Coordinator.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Coordinator;

/// <summary>Builds coordinator parts for unit tests of one class: a registry fed with heartbeats, real metrics.</summary>
public static class CoordinatorTestDoubles
{
    public static EngineRegistry Registry(TimeProvider time, CoordinatorOptions? options = null) =>
        new(Options.Create(options ?? new CoordinatorOptions()), time, NullLogger<EngineRegistry>.Instance);

    public static System.Diagnostics.Metrics.IMeterFactory MeterFactory() =>
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

    public static EngineHeartbeat Heartbeat(string id, long epoch = 1, string tier = "local", int running = 0, int waiting = 0,
        int maxRunning = 4, int maxWaiting = 8, int capacityBlocks = 64, string model = "mesh-tiny") => new()
    {
        Id = id,
        Epoch = epoch,
        Url = $"http://127.0.0.1:1/{id}",
        Tier = tier,
        Model = model,
        KvCapacityBlocks = capacityBlocks,
        BlockSize = 16,
        ContextWindow = 1024,
        Load = new EngineLoad { Running = running, Waiting = waiting, MaxRunning = maxRunning, MaxWaiting = maxWaiting },
    };
}
