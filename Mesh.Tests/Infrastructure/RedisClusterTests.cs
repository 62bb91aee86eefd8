using System.Globalization;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>The testing layer's Redis Cluster: three real nodes started as Aspire resources and joined by redis-cli, another.</summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task Three_nodes_become_one_cluster_that_spreads_keys_over_every_node()
    {
        RedisCluster cluster = null!;
        await using var app = await SmallApp.StartAsync(builder => cluster = RedisCluster.Add(builder, "cache"));
        using var clusterFiles = cluster;
        await cluster.WaitUntilCreatedAsync(app);

        var options = ConfigurationOptions.Parse(await cluster.ConnectionStringAsync());
        options.AllowAdmin = true; // for CLUSTER INFO
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var database = connection.GetDatabase();
        var keys = Enumerable.Range(0, 60).Select(i => $"key-{i}").ToArray();
        foreach (var key in keys)
        {
            Assert.True(await database.StringSetAsync(key, key));
        }

        var info = (string)(await connection.GetServer(connection.GetEndPoints()[0]).ExecuteAsync("CLUSTER", "INFO"))!;
        Assert.Contains("cluster_state:ok", info, StringComparison.Ordinal);
        Assert.Contains("cluster_known_nodes:3", info, StringComparison.Ordinal);
        var perNode = new List<long>();
        foreach (var endpoint in connection.GetEndPoints())
        {
            perNode.Add(await connection.GetServer(endpoint).DatabaseSizeAsync());
        }
        Assert.Equal(3, perNode.Count);
        Assert.All(perNode, count => Assert.True(count > 0, $"keys per node: {string.Join(", ", perNode.Select(c => c.ToString(CultureInfo.InvariantCulture)))}"));
        Assert.Equal(keys.Length, perNode.Sum());
        foreach (var key in keys)
        {
            Assert.Equal(key, (string?)await database.StringGetAsync(key));
        }
    }
}
