using Mesh.Contracts.Registry;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// The prefix-index contract on a real three-node Redis Cluster, plus what only a cluster can show: the keys of one
/// model share a slot (so a lookup over all its engines stays one script), and a node that dies takes only its own
/// models' metadata with it, answered as "nothing cached" until it is back.
/// </summary>
public sealed class RedisClusterPrefixIndexTests(RedisClusterFixture cluster) : PrefixIndexContract, IClassFixture<RedisClusterFixture>
{
    protected override IPrefixIndex CreateIndex() => Index(Time);

    private RedisPrefixIndex Index(TimeProvider time) => new(cluster.Connection, time, Ttl, CoordinatorTestDoubles.MeterFactory(),
        new RedisCircuit(time, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(200)), NullLogger<RedisPrefixIndex>.Instance);

    private static EngineInstance Engine(string model) => new("engine-" + Guid.NewGuid().ToString("N")[..8], 1, 64, model);


    [Fact]
    public void Every_key_of_one_model_is_in_one_slot_and_models_spread_over_the_nodes()
    {
        var connection = cluster.Connection;
        var slots = Enumerable.Range(0, 8)
            .SelectMany(e => new[] { RedisKeys.PrefixIndex("mesh-small", $"engine-{e}", e + 1), RedisKeys.PendingPrefill("mesh-small", $"engine-{e}", 7) })
            .Select(key => connection.HashSlot(key))
            .Distinct()
            .ToList();
        Assert.Single(slots);

        var nodes = Enumerable.Range(0, 32).Select(m => cluster.NodeOf(RedisKeys.PrefixIndex($"model-{m}", "engine-a", 1))).Distinct().Count();
        Assert.Equal(3, nodes);
    }

    [Fact]
    public async Task A_dead_node_costs_only_its_own_models_and_they_are_served_again_once_it_is_back()
    {
        var index = Index(TimeProvider.System);
        var prompt = new ulong[] { 11, 12, 13, 14 };
        // Two models whose slots live on different nodes.
        var models = Enumerable.Range(0, 64).Select(m => $"model-{m}-{Guid.NewGuid():N}").ToList();
        var first = models[0];
        var second = models.First(m => cluster.NodeOf(RedisKeys.PrefixIndex(m, "x", 1)) != cluster.NodeOf(RedisKeys.PrefixIndex(first, "x", 1)));
        var (a, b) = (Engine(first), Engine(second));
        await index.RecordAsync(a, prompt, 0, null, default);
        await index.RecordAsync(b, prompt, 0, null, default);
        Assert.Equal(4, (await index.LookupAsync([a], prompt, default))[0].MatchedBlocks);

        var dead = cluster.NodeOf(RedisKeys.PrefixIndex(first, a.Id, a.Epoch));
        var restarts = cluster.Restarts(dead);
        await cluster.KillNodeAsync(dead);
        try
        {
            // The dead node's model finds nothing (routing goes on by load); the other model is still served by its
            // own node, once the circuit that the failure opened lets a call through again.
            var lost = await index.LookupAsync([a], prompt, default);
            Assert.Equal(0, lost[0].MatchedBlocks);
            await Eventually.MatchAsync(async () => (await Index(TimeProvider.System).LookupAsync([b], prompt, default))[0].MatchedBlocks,
                matched => matched == 4, matched => $"{matched} blocks found for the model on a live node");
        }
        finally
        {
            await cluster.WaitForNodeBackAsync(dead, restarts);
        }

        // The node came back empty (no persistence): the next record is found again.
        await Eventually.MatchAsync(async () =>
        {
            await index.RecordAsync(a, prompt, 0, null, default);
            return (await index.LookupAsync([a], prompt, default))[0].MatchedBlocks;
        }, matched => matched == 4, matched => $"{matched} blocks found after the node restarted");
    }
}
