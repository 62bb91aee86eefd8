using System.Text.Json.Nodes;
using Mesh.Contracts.Hashing;
using Mesh.Contracts.Registry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;
using StackExchange.Redis;

namespace Mesh.Tests.Coordinator;

/// <summary>TTL expiration and cap-based eviction of prefix metadata with real time, a real Redis and a real engine.</summary>
public sealed class PrefixTtlEndToEndTests(PrefixTtlEndToEndTests.Fixture mesh) : IClassFixture<PrefixTtlEndToEndTests.Fixture>
{
    private const string EngineId = "engine-ttlaaaaa";
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(1.5);

    public sealed class Fixture : TestAppFixture
    {
        public HttpClient Coordinator => App.Client("coordinator");

        public IDatabase Redis { get; private set; } = null!;

        protected override void Define(IDistributedApplicationBuilder builder)
        {
            var redis = builder.AddLocalRedis("redis");
            builder.AddMeshEngine(EngineId, redis, "local", "--Engine:KvCapacityBlocks=24");
            builder.AddMeshCoordinator("coordinator", redis, "--Coordinator:PrefixIndex:Ttl=00:00:01.500");
        }

        protected override async ValueTask OnStartedAsync()
        {
            Redis = await App.RedisDatabaseAsync();
            await MeshTestModel.WaitForEnginesAsync(Coordinator, () => App.Logs("coordinator"), EngineId);
        }
    }

    private static JsonObject Prompt(int salt) => new()
    {
        ["prompt"] = new JsonArray([.. Enumerable.Range(0, 100).Select(i => JsonValue.Create(3000 + salt * 500 + i))]),
        ["max_tokens"] = 2,
    };

    private async Task<(long Epoch, string Key)> IndexKeyAsync()
    {
        var heartbeat = JsonNode.Parse((await mesh.Redis.StringGetAsync(RedisKeys.Engine(EngineId))).ToString())!;
        var epoch = (long)heartbeat["epoch"]!;
        return (epoch, RedisKeys.PrefixIndex((string)heartbeat["model"]!, EngineId, epoch));
    }

    [Fact]
    public async Task Metadata_not_refreshed_within_the_TTL_vanishes_from_Redis_and_from_routing()
    {
        await OpenAIClient.PostJsonAsync(mesh.Coordinator, "/v1/completions", Prompt(1));
        var (_, key) = await IndexKeyAsync();
        var hashes = PrefixBlockHasher.ComputeHashes([.. Enumerable.Range(0, 100).Select(i => 3000 + 500 + i)]);
        foreach (var hash in hashes)
        {
            var member = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(member, hash);
            Assert.NotNull(await mesh.Redis.SortedSetScoreAsync(key, member));
        }

        await Eventually.TrueAsync(async () => !await mesh.Redis.KeyExistsAsync(key), () => $"{key} still exists");

        var before = await PrometheusScrape.ReadAsync(mesh.Coordinator);
        var again = await OpenAIClient.PostJsonAsync(mesh.Coordinator, "/v1/completions", Prompt(1));
        var after = await PrometheusScrape.ReadAsync(mesh.Coordinator);
        // The index no longer promises the prefix...
        Assert.Equal(before.Sum("routing_predicted_cached_tokens_total"), after.Sum("routing_predicted_cached_tokens_total"));
        // ...though the engine still had it, and the hit is counted as the engine reported it.
        Assert.Equal(96, (int)again["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(before.Sum("routing_cache_hit_total") + 1, after.Sum("routing_cache_hit_total"));
    }

    [Fact]
    public async Task An_engine_keeps_at_most_its_KV_capacity_in_blocks()
    {
        for (var salt = 10; salt < 16; salt++)
        {
            await OpenAIClient.PostJsonAsync(mesh.Coordinator, "/v1/completions", Prompt(salt));
        }
        var (_, key) = await IndexKeyAsync();
        Assert.Equal(24, await mesh.Redis.SortedSetLengthAsync(key));
    }
}
