using System.Text.Json.Nodes;
using Mesh.Contracts.Registry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine;

/// <summary>The engine's heartbeat in a real redis-server.</summary>
public sealed class EngineHeartbeatTests
{
    [Fact]
    public async Task The_heartbeat_appears_in_Redis_renews_its_epoch_on_cache_reset_and_disappears_on_shutdown()
    {
        await using var app = await SmallApp.StartAsync(builder =>
            builder.AddMeshEngine("engine-hbtestaa", builder.AddLocalRedis("redis"), tier: "cloud"));
        var redis = await app.RedisDatabaseAsync();
        var engine = app.Instance("engine-hbtestaa");
        var key = RedisKeys.Engine("engine-hbtestaa");
        var beat = await WaitForAsync(async () => await redis.StringGetAsync(key) is { HasValue: true } v ? JsonNode.Parse(v.ToString()) : null);
        var ttl = await redis.KeyTimeToLiveAsync(key);

        Assert.Equal("cloud", (string?)beat["tier"]);
        Assert.Equal("mesh-tiny", (string?)beat["model"]);
        Assert.Equal(engine.Url!.ToString().TrimEnd('/'), ((string?)beat["url"])!.TrimEnd('/'));
        Assert.True(ttl is { } t && t <= TimeSpan.FromMilliseconds(600) && t > TimeSpan.Zero, $"TTL {ttl}");

        var epoch = (long)beat["epoch"]!;
        await app.Client("engine-hbtestaa").PostAsync(new Uri("/v1/engine/cache/reset", UriKind.Relative), null);
        var renewed = await WaitForAsync(async () =>
            JsonNode.Parse((await redis.StringGetAsync(key)).ToString()) is { } b && (long)b["epoch"]! > epoch ? b : null);
        Assert.True((long)renewed["epoch"]! > epoch);

        await app.StopAsync("engine-hbtestaa");
        Assert.False(await redis.KeyExistsAsync(key), "the key outlived a graceful shutdown");
    }

    private static async Task<JsonNode> WaitForAsync(Func<Task<JsonNode?>> probe) =>
        (await Eventually.MatchAsync(probe, value => value is not null, _ => "no matching heartbeat yet"))!;
}
