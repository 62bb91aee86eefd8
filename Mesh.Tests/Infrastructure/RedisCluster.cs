using System.Globalization;
using Mesh.Hosting.Networking;
using Mesh.Hosting.Processes;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback: three <c>redis-server --cluster-enabled yes</c> primaries joined by
/// <c>redis-cli --cluster create</c>, a password, no persistence, and <c>cluster-require-full-coverage no</c> as the
/// README recommends for Mesh. A node can be killed and started again on its port
/// with its cluster config file, so it rejoins holding the same slots (and, without persistence, no data).
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private const int NodeCount = 3;
    private readonly string _directory = Directory.CreateTempSubdirectory("mesh-redis-cluster-").FullName;
    private readonly int[] _ports = [.. Enumerable.Range(0, NodeCount).Select(_ => PortAllocator.Next())];
    private readonly ManagedProcess?[] _nodes = new ManagedProcess?[NodeCount];

    private RedisCluster()
    {
    }

    public string Password { get; } = Guid.NewGuid().ToString("N");

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    /// <summary>Every node, as StackExchange.Redis takes a cluster: it discovers the slots from any of them.</summary>
    public string ConnectionString => string.Join(',', _ports.Select(p => $"127.0.0.1:{p}")) + $",password={Password}";

    public IReadOnlyList<int> Ports => _ports;

    public static async Task<RedisCluster> StartAsync()
    {
        var cluster = new RedisCluster();
        for (var i = 0; i < NodeCount; i++)
        {
            cluster.StartNode(i);
        }
        foreach (var port in cluster._ports)
        {
            await Eventually.TrueAsync(() => cluster.PingAsync(port), () => $"node {port} does not answer");
        }
        var create = await RunAsync("redis-cli", ["-a", cluster.Password, "--no-auth-warning", "--cluster", "create",
            .. cluster._ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
        if (create.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed: {create.Output}");
        }
        await cluster.WaitUntilHealthyAsync();
        var options = ConfigurationOptions.Parse(cluster.ConnectionString);
        options.AbortOnConnectFail = false;
        cluster.Connection = await ConnectionMultiplexer.ConnectAsync(options);
        await Eventually.TrueAsync(() => cluster.Connection.GetServers().Count(s => s.IsConnected && !s.IsReplica) == NodeCount,
            () => $"connected to {cluster.Connection.GetServers().Count(s => s.IsConnected)} of {NodeCount} nodes");
        return cluster;
    }

    /// <summary>Waits until every node reports <c>cluster_state:ok</c> (all slots served).</summary>
    public async Task WaitUntilHealthyAsync()
    {
        foreach (var port in _ports)
        {
            await Eventually.MatchAsync(() => ClusterStateAsync(port), state => state == "ok", state => $"node {port}: cluster_state {state}");
        }
    }

    /// <summary>Kills a node outright (SIGKILL): the slots it serves have no node until it is started again.</summary>
    public async Task KillNodeAsync(int index)
    {
        if (_nodes[index] is { } node)
        {
            node.Kill();
            await node.Exited;
            await node.DisposeAsync();
            _nodes[index] = null;
        }
    }

    /// <summary>Starts a killed node on its port with its cluster config, so it takes its slots back.</summary>
    public async Task RestartNodeAsync(int index)
    {
        StartNode(index);
        await Eventually.TrueAsync(() => PingAsync(_ports[index]), () => $"node {_ports[index]} does not answer");
        await WaitUntilHealthyAsync();
    }

    private void StartNode(int index)
    {
        var port = _ports[index].ToString(CultureInfo.InvariantCulture);
        _nodes[index] = ManagedProcess.Start(new ProcessSpec("redis-server",
        [
            "--port", port, "--bind", "127.0.0.1", "--requirepass", Password, "--masterauth", Password,
            "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "2000",
            // A node away costs only its own slots; the others keep answering (the prefix index is a cache).
            "--cluster-require-full-coverage", "no",
            "--save", "", "--appendonly", "no",
        ], new Dictionary<string, string>(), _directory), new LogBuffer(200), TimeProvider.System);
    }

    private async Task<bool> PingAsync(int port) =>
        (await RunAsync("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), "-a", Password, "--no-auth-warning", "ping"])).Output.Trim() == "PONG";

    private async Task<string> ClusterStateAsync(int port)
    {
        var info = await RunAsync("redis-cli", ["-p", port.ToString(CultureInfo.InvariantCulture), "-a", Password, "--no-auth-warning", "cluster", "info"]);
        return info.Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("cluster_state:", StringComparison.Ordinal))?["cluster_state:".Length..] ?? "?";
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
        Directory.Delete(_directory, recursive: true);
    }
}
