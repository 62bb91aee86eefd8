using System.Text.Json.Nodes;
using Mesh.Contracts.Registry;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>
/// The whole mesh on a real three-node Redis Cluster, given to the app model as an external Redis: engines register,
/// a repeated prefix is routed by the index, and a node killed under traffic costs the index (routing goes on by
/// load, no request fails) until it is back, when hits return.
/// </summary>
public sealed class RedisClusterMeshTests(RedisClusterMeshTests.Fixture mesh) : IClassFixture<RedisClusterMeshTests.Fixture>
{
    public sealed class Fixture : MeshAppFixture
    {
        public RedisClusterFixture Cluster { get; } = new();

        protected override async ValueTask OnStartingAsync() => await Cluster.InitializeAsync();

        protected override string[] Arguments => TwoEngines($"--Mesh:Redis:ConnectionString={Cluster.ConnectionString}");

        protected override async ValueTask OnDisposingAsync() => await Cluster.DisposeAsync();
    }

    private static JsonObject Ask(string system, string question) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = 4,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    private static string NewSystem() => $"System {Guid.NewGuid():N}: you answer questions about Redis Cluster and prefix caches at length.";

    /// <summary>Sends a prompt twice; the second decision's reason says whether the index found the first one's prefix.</summary>
    private async Task<(StreamResult First, StreamResult Second)> RepeatAsync()
    {
        var system = NewSystem();
        var first = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask(system, "first"));
        var second = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask(system, "second"));
        Assert.Equal(200, first.StatusCode);
        Assert.Equal(200, second.StatusCode);
        Assert.True(first.Done && second.Done);
        return (first, second);
    }

    [Fact]
    public Task Engines_register_on_the_cluster_and_a_repeated_prefix_is_routed_by_the_index() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var (first, second) = await RepeatAsync();

        Assert.Equal("prefix_hit", second.Headers[MeshHeaders.Reason]);
        Assert.Equal(first.Headers[MeshHeaders.Engine], second.Headers[MeshHeaders.Engine]);
        Assert.True((int)second.Usage!["prompt_tokens_details"]!["cached_tokens"]! > 0);
        var keys = mesh.Cluster.Connection.GetServers().Where(s => s.IsConnected && !s.IsReplica)
            .SelectMany(s => s.Keys(pattern: RedisKeys.EnginePattern)).Count();
        Assert.Equal(2, keys);
    });

    [Fact]
    public Task A_node_killed_costs_only_the_index_and_hits_return_once_it_is_back() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var engines = await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines");
        var engine = engines["engines"]!.AsArray()[0]!;
        var node = mesh.Cluster.NodeOf(RedisKeys.PrefixIndex((string)engine["model"]!, (string)engine["id"]!, (long)engine["epoch"]!));
        var restarts = mesh.Cluster.Restarts(node);
        var system = NewSystem();
        await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask(system, "before"));
        var known = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask(system, "before, again"));
        Assert.Equal("prefix_hit", known.Headers[MeshHeaders.Reason]);

        await mesh.Cluster.KillNodeAsync(node);
        // While the node is away and as it comes back, every request is served (routed by load where the index
        // cannot answer), and no engine leaves the registry.
        for (var i = 0; i < 3; i++)
        {
            await RepeatAsync();
        }
        await mesh.Cluster.WaitForNodeBackAsync(node, restarts);
        var state = await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines");
        Assert.Equal(2, (int)state["active_engines"]!);

        // The node came back empty: the prefix it indexed is no longer known, so it is routed by load.
        var forgotten = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask(system, "after"));
        Assert.Equal(200, forgotten.StatusCode);
        Assert.NotEqual("prefix_hit", forgotten.Headers[MeshHeaders.Reason]);

        // And the index fills again.
        await Eventually.MatchAsync(async () => (await RepeatAsync()).Second.Headers[MeshHeaders.Reason], reason => reason == "prefix_hit",
            reason => $"the repeated prefix was routed for '{reason}'");
    });
}
