using Mesh.Contracts.Hashing;
using Mesh.Contracts.Registry;
using Mesh.Coordinator;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Routing.Policies;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// The router on a fake clock: prefix_aware scores in time and counts what a placement costs the caches, so a hot
/// prefix spreads only when its queue demands it, new prefixes go where there is room, and every engine learns.
/// </summary>
public sealed class RouterTests
{
    private const int PromptTokens = 640; // 40 blocks of 16
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private sealed record Coordinator(Router Router, EngineRegistry Registry, IPrefixIndex Index, RoutingPolicies Policies)
    {
        public IRoutingPolicy PrefixAware => Policies.Default;

        /// <summary>Decides and records the choice, as the proxy does when the request leaves.</summary>
        public async Task<RoutingDecision> RouteAsync(ulong[] hashes, TierPolicy tiers = TierPolicy.LocalOnly, IRoutingPolicy? policy = null)
        {
            var decision = await Router.DecideAsync(policy ?? PrefixAware, tiers, "mesh-tiny", hashes.Length * 16, hashes, default);
            if (decision.Chosen is { } chosen)
            {
                await Index.RecordAsync(chosen.Engine.Instance, hashes, chosen.MatchedBlocks, null, default);
            }
            return decision;
        }
    }

    private Coordinator Create(IPrefixIndex? sharedIndex = null, double replicationWeight = 2, params EngineHeartbeat[] engines)
    {
        var options = new CoordinatorOptions { Scoring = { ReplicationWeight = replicationWeight } };
        var registry = CoordinatorTestDoubles.Registry(_time, options);
        registry.ApplyKeys(engines, complete: true);
        var index = sharedIndex ?? new EmbeddedPrefixIndex(_time, TimeSpan.FromMinutes(5));
        var wrapped = Options.Create(options);
        var policies = new RoutingPolicies([new PrefixAwarePolicy(wrapped), new LeastLoadedPolicy(), new RoundRobinPolicy()], wrapped);
        return new Coordinator(new Router(registry, index, wrapped), registry, index, policies);
    }

    private Coordinator Create(params EngineHeartbeat[] engines) => Create(null, 2, engines);

    private static ulong[] Prompt(int salt) => PrefixBlockHasher.ComputeHashes([.. Enumerable.Range(salt * 100_000, PromptTokens)]);

    [Fact]
    public async Task A_cached_prefix_wins_on_an_idle_engine()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        var prompt = Prompt(1);
        await mesh.Index.RecordAsync(mesh.Registry.Find("b")!.Instance, prompt, 0, null, default);

        var decision = await mesh.RouteAsync(prompt);

        Assert.Equal("b", decision.Chosen!.Id);
        Assert.Equal(PrefixAwarePolicy.PrefixHit, decision.Reason);
        Assert.Equal(40, decision.Chosen.MatchedBlocks);
        var a = decision.Ranked.Single(c => c.Id == "a");
        Assert.Equal(2 * PromptTokens * a.PrefillMsPerToken, a.CopyMs, 6); // a second copy is charged at twice its prefill
    }

    [Fact]
    public async Task A_hot_prefix_spreads_only_when_its_holders_queue_costs_more_than_a_copy()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        var greedy = Create(null, 0, CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        var prompt = Prompt(2);
        foreach (var coordinator in new[] { mesh, greedy })
        {
            await coordinator.Index.RecordAsync(coordinator.Registry.Find("b")!.Instance, prompt, 0, null, default);
        }
        var saved = PromptTokens * new CoordinatorOptions().Scoring.DefaultPrefillMsPerToken;

        // b's queue costs twice the prefill the hit saves: greedy TTFT routing copies the prefix, prefix_aware waits.
        mesh.Registry.Find("b")!.AddPendingPrefill(2 * PromptTokens);
        greedy.Registry.Find("b")!.AddPendingPrefill(2 * PromptTokens);
        var patient = await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", PromptTokens, prompt, default);
        var hasty = await greedy.Router.DecideAsync(greedy.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", PromptTokens, prompt, default);
        Assert.Equal(("b", PrefixAwarePolicy.PrefixHit), (patient.Chosen!.Id, patient.Reason));
        Assert.Equal(("a", PrefixAwarePolicy.SpreadFromSaturated), (hasty.Chosen!.Id, hasty.Reason));
        Assert.True(patient.Chosen.QueueMs > 1.5 * saved);

        // Past (1 + replication weight) times the saving, the load demands a second copy.
        mesh.Registry.Find("b")!.AddPendingPrefill(2 * PromptTokens);
        var spread = await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", PromptTokens, prompt, default);
        Assert.Equal(("a", PrefixAwarePolicy.SpreadFromSaturated), (spread.Chosen!.Id, spread.Reason));
        Assert.True(spread.Ranked.Single(c => c.Id == "b").QueueMs > 3 * saved);
    }

    [Fact]
    public async Task An_engine_that_has_not_measured_its_cost_is_scored_at_the_fleets_median_and_gets_traffic()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("fast"), CoordinatorTestDoubles.Heartbeat("new"));
        var fast = mesh.Registry.Find("fast")!;
        fast.LearnPrefill(prefillMs: 0.055 * 1000, computedTokens: 1000, rate: 0.2);
        Assert.Equal(0.055, fast.PrefillMsPerToken, 6);

        var chosen = new List<Candidate>();
        for (var i = 0; i < 6; i++)
        {
            chosen.Add((await mesh.RouteAsync(Prompt(100 + i))).Chosen!);
        }

        var cold = Assert.Single(chosen.Where(c => c.Id == "new").Take(1));
        Assert.False(cold.CostLearned);
        Assert.Equal(0.055, cold.PrefillMsPerToken, 6);
        Assert.InRange(chosen.Count(c => c.Id == "new"), 2, 4);
    }

    [Fact]
    public async Task An_engine_whose_cache_was_reset_is_not_trusted_until_it_serves_the_prefix_again()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        var prompt = Prompt(3);
        Assert.Equal(PrefixAwarePolicy.LowestCost, (await mesh.RouteAsync(prompt)).Reason);
        var holder = (await mesh.RouteAsync(prompt)).Chosen!.Id;

        mesh.Registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat(holder, epoch: 2)], complete: false); // a new epoch: its cache is gone
        var afterReset = await mesh.RouteAsync(prompt);
        Assert.Equal(PrefixAwarePolicy.LowestCost, afterReset.Reason);
        Assert.All(afterReset.Ranked, c => Assert.Equal(0, c.MatchedBlocks));

        var trustedAgain = await mesh.RouteAsync(prompt);
        Assert.Equal((afterReset.Chosen!.Id, PrefixAwarePolicy.PrefixHit), (trustedAgain.Chosen!.Id, trustedAgain.Reason));
    }

    [Fact]
    public async Task Two_coordinators_sharing_one_index_make_the_same_choices()
    {
        var shared = new EmbeddedPrefixIndex(_time, TimeSpan.FromMinutes(5));
        EngineHeartbeat[] engines = [CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"), CoordinatorTestDoubles.Heartbeat("c")];
        var first = Create(shared, 2, engines);
        var second = Create(shared, 2, engines);

        var placed = new Dictionary<int, string>();
        for (var group = 0; group < 6; group++)
        {
            placed[group] = (await first.RouteAsync(Prompt(10 + group))).Chosen!.Id;
        }
        for (var group = 0; group < 6; group++)
        {
            var viaSecond = await second.RouteAsync(Prompt(10 + group));
            var viaFirst = await first.RouteAsync(Prompt(10 + group));
            Assert.Equal((placed[group], PrefixAwarePolicy.PrefixHit), (viaSecond.Chosen!.Id, viaSecond.Reason));
            Assert.Equal(placed[group], viaFirst.Chosen!.Id);
        }
        Assert.Equal(3, placed.Values.Distinct().Count()); // the new prefixes were spread over the engines
    }

    [Fact]
    public async Task A_coordinator_sees_the_prefill_another_coordinator_sent_to_an_engine()
    {
        var shared = new EmbeddedPrefixIndex(_time, TimeSpan.FromMinutes(5));
        EngineHeartbeat[] engines = [CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b")];
        var first = Create(shared, 2, engines);
        var second = Create(shared, 2, engines);
        var hot = Prompt(6);
        await shared.RecordAsync(first.Registry.Find("b")!.Instance, hot, 0, null, default);
        var busy = new PendingPrefill("req-elsewhere", 42, 8 * PromptTokens, TimeSpan.FromSeconds(30));
        await shared.RecordAsync(first.Registry.Find("b")!.Instance, Prompt(7), 0, busy, default); // first sent b a lot of prefill

        var decision = await second.Router.DecideAsync(second.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", PromptTokens, hot, default);

        var b = decision.Ranked.Single(c => c.Id == "b");
        Assert.Equal(8 * PromptTokens * b.PrefillMsPerToken, b.QueueMs, 6);
        Assert.Equal(("a", PrefixAwarePolicy.SpreadFromSaturated), (decision.Chosen!.Id, decision.Reason));
    }

    [Fact]
    public async Task A_new_prefix_goes_where_it_displaces_no_reused_blocks()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("full", capacityBlocks: 64), CoordinatorTestDoubles.Heartbeat("room", capacityBlocks: 64));
        // "full" protects 50 reused blocks: its protected share (51) has room for one more block only.
        var resident = PrefixBlockHasher.ComputeHashes([.. Enumerable.Range(900_000, 50 * 16)]);
        await mesh.Index.RecordAsync(mesh.Registry.Find("full")!.Instance, resident, 50, null, default);

        var decision = await mesh.RouteAsync(Prompt(4));

        Assert.Equal("room", decision.Chosen!.Id);
        var full = decision.Ranked.Single(c => c.Id == "full");
        Assert.Equal(50, full.ProtectedBlocks);
        Assert.Equal(39 * 16 * full.PrefillMsPerToken, full.EvictMs, 6);
    }

    [Fact]
    public async Task Without_any_cached_prefix_ties_rotate_across_engines()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"), CoordinatorTestDoubles.Heartbeat("c"));
        var chosen = new HashSet<string>();
        for (var i = 0; i < 3; i++)
        {
            chosen.Add((await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", PromptTokens, Prompt(5), default)).Chosen!.Id);
        }
        Assert.Equal(3, chosen.Count);
    }

    [Fact]
    public async Task Tier_policies_keep_to_their_tiers_and_local_first_falls_back_to_the_cloud_when_locals_are_full()
    {
        var mesh = Create(
            CoordinatorTestDoubles.Heartbeat("local-full", running: 4, waiting: 8),
            CoordinatorTestDoubles.Heartbeat("cloud", tier: "cloud"));

        var localOnly = await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        var cloudOnly = await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.CloudOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        var localFirst = await mesh.Router.DecideAsync(mesh.PrefixAware, TierPolicy.LocalFirstWithCloudFallback, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);

        Assert.Equal(["local-full"], localOnly.Ranked.Select(c => c.Id));
        Assert.Equal(["cloud"], cloudOnly.Ranked.Select(c => c.Id));
        Assert.Equal("cloud", localFirst.Chosen!.Id);
        Assert.Equal(TierSelector.CloudFallbackReason, localFirst.Reason);
    }

    [Fact]
    public async Task An_engine_whose_circuit_is_open_leaves_routing()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b"));
        mesh.Policies.TryGet("round_robin", out var roundRobin);
        var breaker = mesh.Registry.Find("a")!.Breaker;
        for (var i = 0; i < new CoordinatorOptions().CircuitBreaker.FailureThreshold; i++)
        {
            breaker.RecordFailure();
        }
        var decision = await mesh.Router.DecideAsync(roundRobin, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        Assert.Equal(["b"], decision.Ranked.Select(c => c.Id));

        _time.Advance(new CoordinatorOptions().CircuitBreaker.BreakDuration);
        decision = await mesh.Router.DecideAsync(roundRobin, TierPolicy.LocalOnly, "mesh-tiny", 10, ReadOnlyMemory<ulong>.Empty, default);
        Assert.Contains("a", decision.Ranked.Select(c => c.Id)); // half-open: back for a trial
    }

    [Fact]
    public void Policies_are_chosen_by_name_and_an_unknown_default_fails_at_start()
    {
        var mesh = Create(CoordinatorTestDoubles.Heartbeat("a"));
        Assert.Equal(["least_loaded", "prefix_aware", "round_robin"], mesh.Policies.Names);
        Assert.True(mesh.Policies.TryGet("Least_Loaded", out var leastLoaded));
        Assert.IsType<LeastLoadedPolicy>(leastLoaded);
        Assert.False(mesh.Policies.TryGet("fastest", out _));
        var options = Options.Create(new CoordinatorOptions { DefaultPolicy = "fastest" });
        Assert.Throws<OptionsValidationException>(() => new RoutingPolicies([new RoundRobinPolicy()], options));
    }
}
