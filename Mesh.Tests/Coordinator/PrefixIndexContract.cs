using Mesh.Coordinator.PrefixIndex;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;
using StackExchange.Redis;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// The semantics every prefix index must have, run against the embedded index and against a real redis-server:
/// longest-prefix lookup, TTL expiration, refresh, cap-based eviction (tail before head, one-off before reused),
/// the protected share, epochs.
/// </summary>
public abstract class PrefixIndexContract
{
    protected static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected abstract IPrefixIndex CreateIndex();

    private const string Model = "mesh-contract";

    private static EngineInstance Engine(string id, int capacity = 100, long epoch = 1) => new(id + Guid.NewGuid().ToString("N")[..6], epoch, capacity, Model);

    private static ulong[] Blocks(int count, ulong salt) => [.. Enumerable.Range(1, count).Select(i => salt * 1000 + (ulong)i)];

    private static async Task<int[]> MatchedAsync(IPrefixIndex index, EngineInstance[] engines, ulong[] prompt) =>
        [.. (await index.LookupAsync(engines, prompt, default)).Select(m => m.MatchedBlocks)];

    [Fact]
    public async Task A_prompt_of_thousands_of_blocks_matches_up_to_its_first_difference_and_its_reused_blocks_are_protected()
    {
        var index = CreateIndex();
        var engine = Engine("long", capacity: 10_000);
        var prompt = Blocks(3000, 7);
        await index.RecordAsync(engine, prompt, 0, null, default);
        var diverging = (ulong[])prompt.Clone();
        diverging[2500] = 1;

        Assert.Equal(new[] { 3000 }, await MatchedAsync(index, [engine], prompt));
        Assert.Equal(new[] { 2500 }, await MatchedAsync(index, [engine], diverging));
        Assert.Equal(new[] { 0 }, await MatchedAsync(index, [engine], [2, .. prompt]));

        await index.RecordAsync(engine, prompt, 2000, null, default);
        var match = (await index.LookupAsync([engine], prompt, default))[0];
        Assert.Equal(3000, match.MatchedBlocks);
        Assert.Equal(Math.Min(2000, Mesh.Contracts.Caching.KvCacheEviction.ProtectedLimit(10_000)), match.ProtectedBlocks);
    }

    [Fact]
    public async Task A_lookup_finds_the_longest_recorded_prefix_on_each_engine()
    {
        var index = CreateIndex();
        var a = Engine("a");
        var b = Engine("b");
        var prompt = Blocks(6, 1);
        await index.RecordAsync(a, prompt.AsMemory(0, 4), 0, null, default);
        await index.RecordAsync(b, prompt.AsMemory(0, 2), 0, null, default);

        var matched = await MatchedAsync(index, [a, b, Engine("c")], prompt);

        Assert.Equal(new[] { 4, 2, 0 }, matched);
    }

    [Fact]
    public async Task An_entry_not_refreshed_within_the_TTL_vanishes_and_a_refresh_keeps_it()
    {
        var index = CreateIndex();
        var engine = Engine("ttl");
        var old = Blocks(3, 2);
        var refreshed = Blocks(3, 3);
        await index.RecordAsync(engine, old, 0, null, default);
        await index.RecordAsync(engine, refreshed, 0, null, default);

        Time.Advance(Ttl * 0.6);
        await index.RecordAsync(engine, refreshed, 0, null, default);
        Time.Advance(Ttl * 0.6);

        Assert.Equal(new[] { 0 }, await MatchedAsync(index, [engine], old));
        Assert.Equal(new[] { 3 }, await MatchedAsync(index, [engine], refreshed));
    }

    [Fact]
    public async Task Beyond_its_capacity_an_engine_keeps_the_most_recent_blocks_and_drops_a_prompts_tail_first()
    {
        var index = CreateIndex();
        var engine = Engine("cap", capacity: 5);
        var first = Blocks(4, 4);
        var second = Blocks(3, 5);
        await index.RecordAsync(engine, first, 0, null, default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, second, 0, null, default);

        Assert.Equal(5, await index.CountAsync(engine, default));
        Assert.Equal(new[] { 3 }, await MatchedAsync(index, [engine], second));
        Assert.Equal(new[] { 2 }, await MatchedAsync(index, [engine], first)); // its last two blocks went first
    }

    [Fact]
    public async Task Memory_stays_bounded_under_a_flood_of_distinct_prompts()
    {
        var index = CreateIndex();
        var engine = Engine("flood", capacity: 32);
        for (var i = 0; i < 40; i++)
        {
            await index.RecordAsync(engine, Blocks(8, 100 + (ulong)i), 0, null, default);
            Time.Advance(TimeSpan.FromMilliseconds(10));
        }
        Assert.Equal(32, await index.CountAsync(engine, default));
    }

    [Fact]
    public async Task Reused_blocks_outlive_newer_one_off_blocks_and_are_counted_as_protected()
    {
        var index = CreateIndex();
        var engine = Engine("protect", capacity: 10);
        var system = Blocks(4, 20);
        await index.RecordAsync(engine, system, 0, null, default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, system, 4, null, default); // a routing decision matched all four
        for (ulong question = 0; question < 5; question++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await index.RecordAsync(engine, Blocks(3, 30 + question), 0, null, default); // newer one-off prompts
        }

        var match = (await index.LookupAsync([engine], system, default))[0];
        Assert.Equal(4, match.MatchedBlocks);
        Assert.Equal(4, match.ProtectedBlocks);
        Assert.Equal(10, await index.CountAsync(engine, default));
    }

    [Fact]
    public async Task Protected_entries_are_capped_at_the_engines_protected_share_least_recent_first()
    {
        var index = CreateIndex();
        var engine = Engine("share", capacity: 10); // protects at most 8
        var older = Blocks(5, 40);
        var newer = Blocks(5, 41);
        await index.RecordAsync(engine, older, 5, null, default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, newer, 5, null, default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, Blocks(2, 42), 0, null, default); // over capacity: the demoted go first

        var match = await index.LookupAsync([engine, engine], older, default);
        Assert.Equal(Mesh.Contracts.Caching.KvCacheEviction.ProtectedLimit(10), match[0].ProtectedBlocks);
        Assert.Equal(3, match[0].MatchedBlocks);
        Assert.Equal(new[] { 5 }, await MatchedAsync(index, [engine], newer));
    }

    [Fact]
    public async Task A_protected_entry_stays_protected_when_a_later_prompt_records_it_without_reuse()
    {
        var index = CreateIndex();
        var engine = Engine("keep", capacity: 6);
        var system = Blocks(3, 50);
        await index.RecordAsync(engine, system, 3, null, default);
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, system, 0, null, default); // e.g. failover to it, cache not used
        Time.Advance(TimeSpan.FromSeconds(1));
        await index.RecordAsync(engine, Blocks(5, 51), 0, null, default);

        Assert.Equal(new[] { 3 }, await MatchedAsync(index, [engine], system));
    }

    [Fact]
    public async Task A_protected_entry_expires_with_the_TTL_like_any_other()
    {
        var index = CreateIndex();
        var engine = Engine("expire");
        var system = Blocks(3, 60);
        await index.RecordAsync(engine, system, 3, null, default);
        Time.Advance(Ttl + TimeSpan.FromSeconds(1));

        var match = (await index.LookupAsync([engine], system, default))[0];
        Assert.Equal(0, match.MatchedBlocks);
        Assert.Equal(0, match.ProtectedBlocks);
    }

    [Fact]
    public async Task A_pending_prefill_counts_for_its_engine_until_it_completes_or_expires()
    {
        var index = CreateIndex();
        var busy = Engine("busy");
        var idle = Engine("idle");
        var prompt = Blocks(4, 70);
        var first = new PendingPrefill("req-1", prompt[0], 300, TimeSpan.FromSeconds(10));
        var second = new PendingPrefill("req-2", 999, 200, TimeSpan.FromSeconds(2));
        await index.RecordAsync(busy, prompt, 0, first, default);
        await index.RecordAsync(busy, Blocks(2, 71), 0, second, default);

        var matches = await index.LookupAsync([busy, idle], prompt, default);
        Assert.Equal((500, true), (matches[0].PendingPrefillTokens, matches[0].PrefillingSamePrefix));
        Assert.Equal((0, false), (matches[1].PendingPrefillTokens, matches[1].PrefillingSamePrefix));

        await index.CompletePrefillAsync(busy, first, default);
        await Infrastructure.Eventually.TrueAsync(async () => (await index.LookupAsync([busy], prompt, default))[0].PendingPrefillTokens == 200,
            () => "the completed prefill still counts");
        Time.Advance(TimeSpan.FromSeconds(3)); // the second one's coordinator never reported back: it expires
        var expired = (await index.LookupAsync([busy], prompt, default))[0];
        Assert.Equal((0, false), (expired.PendingPrefillTokens, expired.PrefillingSamePrefix));
    }

    [Fact]
    public async Task Epochs_are_separate_and_dropping_one_removes_it()
    {
        var index = CreateIndex();
        var old = Engine("epoch", epoch: 1);
        var renewed = old with { Epoch = 2 };
        var prompt = Blocks(3, 8);
        await index.RecordAsync(old, prompt, 0, null, default);

        Assert.Equal(new[] { 3, 0 }, await MatchedAsync(index, [old, renewed], prompt));
        await index.DropAsync(old, default);
        Assert.Equal(new[] { 0 }, await MatchedAsync(index, [old], prompt));
        Assert.Equal(0, await index.CountAsync(old, default));
    }
}

public sealed class EmbeddedPrefixIndexTests : PrefixIndexContract
{
    protected override IPrefixIndex CreateIndex() => new EmbeddedPrefixIndex(Time, Ttl);
}

public sealed class RedisPrefixIndexTests(RedisPrefixIndexTests.RedisFixture redis) : PrefixIndexContract, IClassFixture<RedisPrefixIndexTests.RedisFixture>
{
    /// <summary>A real redis-server, alone in its app model.</summary>
    public sealed class RedisFixture : TestAppFixture
    {
        public ConnectionMultiplexer Connection { get; private set; } = null!;

        protected override void Define(IDistributedApplicationBuilder builder) => builder.AddLocalRedis("redis");

        protected override async ValueTask OnStartedAsync() => Connection = await App.RedisAsync();
    }

    protected override IPrefixIndex CreateIndex()
    {
        return new RedisPrefixIndex(redis.Connection, Time, Ttl, CoordinatorTestDoubles.MeterFactory(),
            new RedisCircuit(Time, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2)),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisPrefixIndex>.Instance);
    }

    [Fact]
    public async Task An_idle_engines_set_expires_in_Redis_a_TTL_after_its_last_update()
    {
        var index = CreateIndex();
        var engine = new EngineInstance("idle-" + Guid.NewGuid().ToString("N")[..6], 1, 16, "mesh-contract");
        await index.RecordAsync(engine, new ulong[] { 1, 2, 3 }, 0, null, default);
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(Mesh.Contracts.Registry.RedisKeys.PrefixIndex(engine.Model, engine.Id, engine.Epoch));
        Assert.NotNull(ttl);
        Assert.True(ttl <= Ttl && ttl > Ttl - TimeSpan.FromSeconds(5), $"the set's TTL is {ttl}");
    }
}
