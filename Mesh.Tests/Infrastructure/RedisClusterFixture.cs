using Aspire.Hosting;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real three-node Redis Cluster (<see cref="RedisCluster"/>), joined once for the
/// tests of a class, with a client connected to every node. A node can be killed; the orchestrator starts it again on
/// its port with its cluster file (see <see cref="RestartOnExitAnnotation"/>), and it takes its slots back (empty: there is no persistence).
/// </summary>
public class RedisClusterFixture : TestAppFixture
{
    private RedisCluster? _cluster;

    public RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("Not started.");

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    protected override void Define(IDistributedApplicationBuilder builder) => _cluster = RedisCluster.Add(builder, "cache");

    protected override async ValueTask OnStartedAsync()
    {
        await Cluster.WaitUntilCreatedAsync(App);
        ConnectionString = await Cluster.ConnectionStringAsync();
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AbortOnConnectFail = false;
        options.AllowAdmin = true; // CLUSTER INFO, to see a restarted node serving again
        Connection = await ConnectionMultiplexer.ConnectAsync(options);
        await Eventually.TrueAsync(() => Connection.GetServers().Count(s => s.IsConnected && !s.IsReplica) == Cluster.Ports.Count,
            () => $"connected to {Connection.GetServers().Count(s => s.IsConnected)} of {Cluster.Ports.Count} nodes");
    }

    /// <summary>The node that holds <paramref name="key"/>'s slot.</summary>
    public int NodeOf(RedisKey key)
    {
        var endpoint = (System.Net.IPEndPoint)Connection.GetServers().First(s => s.IsConnected).ClusterConfiguration!.GetBySlot(key)!.EndPoint!;
        return Cluster.Ports.ToList().IndexOf(endpoint.Port);
    }

    /// <summary>SIGKILL for one node; call <see cref="WaitForNodeBackAsync"/> to have it serving again.</summary>
    public Task KillNodeAsync(int node) => App.KillAsync(Cluster.NodeNames[node]);

    /// <summary>Waits until the orchestrator has restarted the node and it answers for its slots again.</summary>
    public async Task WaitForNodeBackAsync(int node, int restartsBefore)
    {
        await App.WaitForRestartAsync(Cluster.NodeNames[node], restartsBefore);
        var server = Connection.GetServer("127.0.0.1", Cluster.Ports[node]);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var info = (string?)await server.ExecuteAsync("CLUSTER", "INFO");
                return info?.Contains("cluster_state:ok", StringComparison.Ordinal) == true && server.IsConnected;
            }
            catch (RedisException)
            {
                return false;
            }
        }, () => $"node {Cluster.NodeNames[node]} is not serving its slots again");
    }

    public int Restarts(int node) => App.Instance(Cluster.NodeNames[node]).Restarts;

    protected override async ValueTask OnDisposingAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
    }

    protected override void OnStopped() => _cluster?.Dispose();
}
