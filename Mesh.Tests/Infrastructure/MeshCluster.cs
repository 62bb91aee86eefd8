using System.Collections.Concurrent;
using System.Globalization;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A mesh of real processes for a test class: one redis-server, engines on the tiny model, coordinators.
/// Processes start in parallel; disposing stops them all.
/// </summary>
public sealed class MeshCluster : IAsyncDisposable
{
    /// <summary>Fast heartbeats and registry refreshes, so joins, leaves and restarts show within a few hundred ms.</summary>
    public static readonly string[] FastEngine = ["--Engine:Model=tiny", "--Engine:HeartbeatInterval=00:00:00.200"];

    public static readonly string[] FastCoordinator = ["--Coordinator:RegistryRefreshInterval=00:00:00.100", "--Coordinator:QueueTimeout=00:00:01"];

    private readonly ConcurrentDictionary<string, ServiceProcess> _engines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServiceProcess> _coordinators = new(StringComparer.Ordinal);

    private MeshCluster(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public IReadOnlyDictionary<string, ServiceProcess> Engines => _engines;

    public IReadOnlyDictionary<string, ServiceProcess> Coordinators => _coordinators;

    public static async Task<MeshCluster> StartAsync() => new(await RedisServer.StartAsync());

    public Dictionary<string, string> RedisEnvironment => new() { ["ConnectionStrings__redis"] = Redis.ConnectionString };

    public async Task<ServiceProcess> StartEngineAsync(string id, string tier = "local", params string[] extra)
    {
        var engine = await ServiceProcess.StartAsync("Mesh.Engine",
            [.. FastEngine, $"--Engine:Id={id}", $"--Engine:Tier={tier}", .. extra], RedisEnvironment);
        _engines[id] = engine;
        return engine;
    }

    public async Task<ServiceProcess> StartCoordinatorAsync(string name, params string[] extra)
    {
        var coordinator = await ServiceProcess.StartAsync("Mesh.Coordinator", [.. FastCoordinator, .. extra], RedisEnvironment);
        _coordinators[name] = coordinator;
        return coordinator;
    }

    /// <summary>Waits until a coordinator routes to exactly the engines named.</summary>
    public static Task WaitForEnginesAsync(ServiceProcess coordinator, params string[] ids) =>
        Eventually.MatchAsync(async () =>
            {
                var state = await OpenAIClient.GetJsonAsync(coordinator.Client, "/v1/mesh/engines");
                return state["engines"]!.AsArray().Where(e => (bool)e!["routable"]!).Select(e => (string)e!["id"]!).Order(StringComparer.Ordinal).ToArray();
            },
            seen => seen.SequenceEqual(ids.Order(StringComparer.Ordinal)),
            seen => $"the coordinator routes to [{string.Join(", ", seen)}], not [{string.Join(", ", ids)}].\n{coordinator.Logs}");

    /// <summary>Stops an engine with SIGKILL: no deregistration, its key lingers until its TTL.</summary>
    public async Task KillEngineAsync(string id)
    {
        if (_engines.TryRemove(id, out var engine))
        {
            engine.Process.Kill();
            await engine.Process.Exited.WaitAsync(TimeSpan.FromSeconds(10));
            await engine.DisposeAsync();
        }
    }

    public static string Port(ServiceProcess service) => service.Port.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_coordinators.Values.Concat(_engines.Values).Select(p => p.DisposeAsync().AsTask()));
        await Redis.DisposeAsync();
    }
}
