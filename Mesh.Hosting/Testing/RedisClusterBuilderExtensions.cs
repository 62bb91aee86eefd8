using System.Globalization;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Networking;

namespace Mesh.Hosting.Testing;

public static class RedisClusterBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="nodes"/> <c>redis-server --cluster-enabled yes</c> nodes, named <c>&lt;name&gt;-0</c>...,
    /// loopback only, no persistence, one generated password, <c>cluster-require-full-coverage no</c>, restarted when
    /// they exit. They start as separate servers: call
    /// <see cref="RedisCluster.CreateAsync"/> once the app has started to join them.
    /// </summary>
    public static RedisCluster AddRedisCluster(this IDistributedApplicationBuilder builder, string name, int nodes = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 3); // redis-cli --cluster create wants at least three masters
        var server = RedisResource.FindExecutable() ?? throw new InvalidOperationException("A Redis cluster needs redis-server on the PATH.");
        var directory = Directory.CreateTempSubdirectory($"{name}-").FullName;
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var ports = Enumerable.Range(0, nodes).Select(_ => PortAllocator.Next()).ToArray();
        for (var i = 0; i < nodes; i++)
        {
            var port = ports[i].ToString(CultureInfo.InvariantCulture);
            builder.AddExecutable($"{name}-{i}", server, directory,
                "--port", port, "--bind", "127.0.0.1", "--requirepass", password, "--masterauth", password,
                "--save", string.Empty, "--appendonly", "no",
                "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{port}.conf", "--cluster-node-timeout", "5000",
                // A node away costs only its own slots; the others keep answering.
                "--cluster-require-full-coverage", "no")
                // A killed node comes back on its port with its cluster file, so it takes its slots back.
                .WithRestartPolicy(RestartPolicy.WithBackoff);
        }
        return new RedisCluster(name, ports, password, directory);
    }
}
