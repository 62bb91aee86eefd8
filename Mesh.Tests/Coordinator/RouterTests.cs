using Mesh.Coordinator;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Routing;
using Mesh.Contracts.Hashing;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Tests.Coordinator;

/// <summary>The router's scoring in time: cache hits win until their engine's queue costs more than the prefill they save.</summary>
public sealed class RouterTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly int[] _prompt = [.. Enumerable.Range(0, 640)];

    private (Router Router, Mesh.Coordinator.Registry.EngineRegistry Registry, IPrefixIndex Index) Create(params Mesh.Contracts.Registry.EngineHeartbeat[] engines)
    {
        var registry = CoordinatorTestDoubles.Registry(_time);
        registry.ApplyKeys(engines, complete: true);
        var index = new EmbeddedPrefixIndex(_time, TimeSpan.FromMinutes(5));
        return (new Router(registry, index), registry, index);
    }

    private ulong[] Hashes => PrefixBlockHasher.ComputeHashes(_prompt);

    private async Task HoldPromptOn(IPrefixIndex index, string engine) =>
        await index.RecordAsync(new EngineInstance(engine, 1, 64), Hashes, false, default);

    [Fact]
    public async Task A_cached_prefix_wins_on_an_idle_engine()
    {
        var (router, _, index) = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        await HoldPromptOn(index, "b");

        var decision = await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", _prompt.Length, Hashes, default);

        Assert.Equal("b", decision.Chosen!.Id);
        Assert.Equal(RoutingDecision.Reasons.PrefixHit, decision.Reason);
        Assert.Equal(40, decision.Chosen.MatchedBlocks);
    }

    [Fact]
    public async Task A_hit_on_a_saturated_engine_loses_to_a_miss_on_an_idle_one_and_the_hot_prefix_spreads()
    {
        // b holds the prompt but every slot is taken and requests queue behind them.
        var (router, _, index) = Create(
            CoordinatorTestDoubles.Heartbeat("a"),
            CoordinatorTestDoubles.Heartbeat("b", running: 4, waiting: 4));
        await HoldPromptOn(index, "b");

        var decision = await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", _prompt.Length, Hashes, default);

        Assert.Equal("a", decision.Chosen!.Id);
        Assert.Equal(RoutingDecision.Reasons.SpreadFromSaturated, decision.Reason);
        var b = decision.Ranked.Single(c => c.Id == "b");
        Assert.True(b.Saturated);
        Assert.True(b.QueueMs > decision.Chosen.PrefillMs, "the queue should cost more than the prefill the hit saves");
    }

    [Fact]
    public async Task Without_any_cached_prefix_ties_rotate_across_engines()
    {
        var (router, _, _) = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"), CoordinatorTestDoubles.Heartbeat("c"));
        var chosen = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            chosen.Add((await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", _prompt.Length, Hashes, default)).Chosen!.Id);
        }
        Assert.Equal(3, chosen.Count);
    }

    [Fact]
    public async Task Tier_policies_keep_to_their_tiers_and_local_first_falls_back_to_the_cloud_when_locals_are_full()
    {
        var (router, _, _) = Create(
            CoordinatorTestDoubles.Heartbeat("local-full", running: 4, waiting: 8),
            CoordinatorTestDoubles.Heartbeat("cloud", tier: "cloud"));

        var localOnly = await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        var cloudOnly = await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.CloudOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        var localFirst = await router.DecideAsync(RoutingPolicy.PrefixAware, TierPolicy.LocalFirstWithCloudFallback, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);

        Assert.Equal(["local-full"], localOnly.Ranked.Select(c => c.Id));
        Assert.Equal(["cloud"], cloudOnly.Ranked.Select(c => c.Id));
        Assert.Equal("cloud", localFirst.Chosen!.Id);
        Assert.Equal(RoutingDecision.Reasons.CloudFallback, localFirst.Reason);
    }

    [Fact]
    public async Task An_engine_whose_circuit_is_open_leaves_routing()
    {
        var (router, registry, _) = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        var breaker = registry.Find("a")!.Breaker;
        for (var i = 0; i < new CoordinatorOptions().CircuitBreaker.FailureThreshold; i++)
        {
            breaker.RecordFailure();
        }
        var decision = await router.DecideAsync(RoutingPolicy.RoundRobin, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        Assert.Equal(["b"], decision.Ranked.Select(c => c.Id));

        _time.Advance(new CoordinatorOptions().CircuitBreaker.BreakDuration);
        decision = await router.DecideAsync(RoutingPolicy.RoundRobin, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        Assert.Contains("a", decision.Ranked.Select(c => c.Id)); // half-open: back for a trial
    }
}
