using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A Redis Cluster made of Aspire resources: <paramref name="nodes"/> <c>redis-server --cluster-enabled yes</c> nodes
/// (the mesh's <see cref="LocalRedisResource"/>, restarted when they exit), one shared password, and a <c>redis-cli
/// --cluster create</c> executable that waits for every node and joins them, the slots spread evenly and no replicas.
/// A killed node comes back on its port with its cluster file and takes its slots back (empty: there is no persistence).
/// </summary>
public sealed class RedisCluster : IDisposable
{
    private readonly IResourceBuilder<ParameterResource> _password;

    private RedisCluster(string name, IReadOnlyList<int> ports, IResourceBuilder<ParameterResource> password, string directory)
    {
        Name = name;
        Ports = ports;
        _password = password;
        Directory = directory;
    }

    public string Name { get; }

    public IReadOnlyList<int> Ports { get; }

    /// <summary>Where the nodes keep their <c>nodes-&lt;port&gt;.conf</c>.</summary>
    public string Directory { get; }

    /// <summary>The resource names of the nodes: <c>&lt;name&gt;-0</c>, <c>&lt;name&gt;-1</c>...</summary>
    public IReadOnlyList<string> NodeNames => [.. Ports.Select((_, i) => $"{Name}-{i}")];

    /// <summary>The executable that joins the nodes; it finishes once the cluster is made.</summary>
    public string CreateResource => $"{Name}-create";

    public static RedisCluster Add(IDistributedApplicationBuilder builder, string name, int nodes = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 3); // redis-cli --cluster create wants at least three masters
        var directory = System.IO.Directory.CreateTempSubdirectory($"{name}-").FullName;
        var password = builder.AddGeneratedSecret($"{name}-password", 22);
        var ports = Enumerable.Range(0, nodes).Select(_ => MeshRedisBuilderExtensions.FreeLoopbackPort()).ToArray();
        var create = builder.AddExecutable($"{name}-create", "redis-cli", directory,
                ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"])
            .WithEnvironment("REDISCLI_AUTH", password);
        for (var i = 0; i < nodes; i++)
        {
            var port = ports[i].ToString(CultureInfo.InvariantCulture);
            var node = builder.AddLocalRedis($"{name}-{i}", ports[i], password)
                .WithArgs("--dir", directory,
                    "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "5000",
                    // A node away costs only its own slots; the others keep answering.
                    "--cluster-require-full-coverage", "no")
                .WithRestartOnExit();
            create.WaitFor(node);
        }
        return new RedisCluster(name, ports, password, directory);
    }

    /// <summary>Every node, in StackExchange.Redis's syntax; the client learns the slot map from any of them.</summary>
    public async Task<string> ConnectionStringAsync() =>
        string.Join(",", Ports.Select(p => $"127.0.0.1:{p}")) + $",password={await _password.Resource.GetValueAsync(default)}";

    /// <summary>Waits until <c>redis-cli --cluster create</c> has finished and every node says its cluster state is ok.</summary>
    public async Task WaitUntilCreatedAsync(RunningApp app)
    {
        var created = await app.WaitForAsync(CreateResource, r => r[0].State == KnownResourceStates.Finished || r[0].State == KnownResourceStates.Exited, "finished");
        Assert.True(created[0].ExitCode == 0, $"redis-cli --cluster create exited with {created[0].ExitCode}:\n{app.Logs(CreateResource)}");
        var options = ConfigurationOptions.Parse(await ConnectionStringAsync());
        options.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        // Each node turns its cluster state to ok on its own, a moment after the slots are assigned; until then it answers CLUSTERDOWN.
        foreach (var port in Ports)
        {
            var server = connection.GetServer("127.0.0.1", port);
            await Eventually.TrueAsync(async () => ((string?)await server.ExecuteAsync("CLUSTER", "INFO"))?.Contains("cluster_state:ok", StringComparison.Ordinal) == true,
                () => $"node {port} is not ok yet\n{app.Logs(Name + "-0")}");
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
