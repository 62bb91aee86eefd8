using System.Globalization;
using Mesh.Bench.Coordinator;
using Mesh.Contracts.Routing;
using Mesh.Engine.Inference;

namespace Mesh.Bench.Routing;

/// <summary>
/// The routing workload suite: each workload of the field's shapes, each policy, several rates up to the mesh's
/// capacity, 1, 2 and 4 coordinators taking requests in turn, and an engine killed mid-run. Every number is reported
/// against the oracle computed from the same request stream. One mesh (eight simulated engines calibrated on the real
/// backend, four coordinators) serves every run; caches are emptied between runs.
/// </summary>
public static class RoutingSuite
{
    private const int Engines = 8;
    private const int KvCapacityBlocks = 760;
    private const int RealKvCapacityBlocks = 120;
    private const int MaxCoordinators = 4;
    private static double[] RateShares = [0.5, 0.8, 1.0];
    private static string[] Policies = [RoutingPolicyNames.RoundRobin, RoutingPolicyNames.LeastLoaded, RoutingPolicyNames.PrefixAware];
    private static int[] CoordinatorCounts = [2, MaxCoordinators];
    private static readonly Dictionary<string, (double P50, double P99)> IdealTtft = [];

    /// <summary>
    /// <c>routing [workload|all] [--policies a,b] [--shares 0.5,0.8] [--coordinators 2,4]</c>: the options narrow a run
    /// for a quick look; the full suite (no options) is what the README reports.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
        if (which == "real")
        {
            return await RunRealAsync();
        }
        var narrowed = false;
        for (var i = 0; i + 1 < args.Length; i++)
        {
            var values = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries);
            switch (args[i])
            {
                case "--policies":
                    Policies = values;
                    narrowed = true;
                    break;
                case "--shares":
                    RateShares = [.. values.Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
                    narrowed = true;
                    break;
                case "--coordinators":
                    CoordinatorCounts = [.. values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)).Where(c => c > 1)];
                    narrowed = true;
                    break;
            }
        }
        var workloads = which == "all" ? Workload.Names : [which];
        if (workloads.Any(w => Workload.Named(w) is null))
        {
            Console.WriteLine($"Unknown workload '{which}'. Use one of: all, {string.Join(", ", Workload.Names)}.");
            return 1;
        }
        await using var mesh = await BenchMesh.StartAsync(Engines, MaxCoordinators, $"--Mesh:Engines:KvCapacityBlocks={KvCapacityBlocks}");
        // The simulated engines' cost model, calibrated on the real backend (Engine:Simulation), sets the rates.
        var prefillMsPerToken = new SimulationOptions().CostModel.PrefillMsPerToken;
        // Warm up every process (JIT, connections, the engines' own cost estimates) before anything is measured.
        await WorkloadRunner.RunAsync(Workload.LowSharing(requests: 64, words: 600), 8, mesh.Coordinators, RoutingPolicyNames.RoundRobin, "warm-up");
        var all = new List<RunSummary>();
        foreach (var name in workloads)
        {
            all.AddRange(await RunWorkloadAsync(mesh, Workload.Named(name)!, prefillMsPerToken, Engines));
        }
        if (which is "all" or "uniform" && !narrowed)
        {
            await RunRestartAsync(mesh, Workload.SharedPrefixUniform(), prefillMsPerToken);
        }
        if (!narrowed)
        {
            WriteTargets(all);
        }
        return 0;
    }

    /// <summary>
    /// <c>routing real</c>: the uniform shape at small scale on real <c>tiny</c> engines (the transformer backend, not the
    /// cost model), so that the simulation's conclusions are seen to hold on the real backend. Four engines of
    /// <see cref="RealKvCapacityBlocks"/> blocks and twelve groups: the prefix set is about three engines' caches. The rates
    /// come from the prefill cost the coordinator learned from the engines during the warm-up.
    /// </summary>
    private static async Task<int> RunRealAsync()
    {
        const int engines = 4;
        await using var mesh = await BenchMesh.StartAsync(engines, 1,
            "--Mesh:Engines:Simulated=false", "--Mesh:Engines:Model=tiny", $"--Mesh:Engines:KvCapacityBlocks={RealKvCapacityBlocks}");
        await WorkloadRunner.RunAsync(Workload.LowSharing(requests: 48, words: 400), 4, mesh.Coordinators, RoutingPolicyNames.RoundRobin, "warm-up");
        var state = await BenchMesh.GetAsync(mesh.Coordinator, "/v1/mesh/engines");
        var prefillMsPerToken = state["engines"]!.AsArray().Average(e => (double)e!["prefill_ms_per_token"]!);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Learned prefill cost of the real tiny engines: {prefillMsPerToken:F4} ms/token."));
        var workload = Workload.SharedPrefixUniform(groups: 12, requests: 144, systemWords: 400, questionWords: 80);
        workload = workload with { Name = "uniform-real-tiny", Shape = workload.Shape + $", {engines} real tiny engines of {RealKvCapacityBlocks} blocks" };
        CoordinatorCounts = [];
        // Real engines compute on the machine's cores: four of them on two cores have the capacity of two.
        await RunWorkloadAsync(mesh, workload, prefillMsPerToken, Math.Min(engines, Environment.ProcessorCount));
        return 0;
    }

    private static async Task<List<RunSummary>> RunWorkloadAsync(BenchMesh mesh, Workload workload, double prefillMsPerToken, int engineCount)
    {
        var oracle = PrefixOracle.For(workload);
        // Capacity: the request rate at which cold prefills alone would keep every engine busy.
        var capacity = engineCount * 1000 / (oracle.AveragePromptTokens * prefillMsPerToken);
        var slo = 2 * oracle.AveragePromptTokens * prefillMsPerToken;
        var ideal = oracle.IdealTtftMs(prefillMsPerToken);
        IdealTtft[workload.Name] = (Percentiles.Of(ideal, 50), Percentiles.Of(ideal, 99));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Workload {workload.Name}: {workload.Shape}. Average prompt {oracle.AveragePromptTokens:F0} tokens, oracle hit rate {oracle.HitRate:P1}, capacity {capacity:F1} req/s, TTFT SLO {slo:F0} ms."));
        var runs = new List<RunSummary>();
        foreach (var share in RateShares)
        {
            foreach (var policy in Policies)
            {
                runs.Add(await RunOnceAsync(mesh, workload, oracle, policy, 1, share * capacity, capacity, slo));
            }
        }
        if (workload.Name != "lowshare" && Policies.Contains(RoutingPolicyNames.PrefixAware))
        {
            foreach (var coordinators in CoordinatorCounts)
            {
                runs.Add(await RunOnceAsync(mesh, workload, oracle, RoutingPolicyNames.PrefixAware, coordinators, 0.8 * capacity, capacity, slo));
            }
        }
        var report = new Report(
            string.Create(CultureInfo.InvariantCulture, $"{workload.Shape} (oracle {oracle.HitRate:P1}, capacity {capacity:F1} req/s, TTFT SLO {slo:F0} ms)"),
            "policy", "coordinators", "rate", "requests", "errors", "hit rate", "of oracle", "TTFT p50", "p90", "p99", "latency p50", "p99",
            "throughput", "goodput", "CV per engine");
        foreach (var r in runs.OrderBy(r => r.Coordinators).ThenBy(r => r.Rate).ThenBy(r => Array.IndexOf(Policies, r.Policy)))
        {
            report.Row(r.Policy, r.Coordinators, string.Create(CultureInfo.InvariantCulture, $"{r.Rate:F1} ({r.RateShareOfCapacity:P0})"), r.Requests, r.Errors,
                Percent(r.HitRate), Percent(r.ShareOfOracle), r.TtftP50, r.TtftP90, r.TtftP99, r.LatencyP50, r.LatencyP99,
                string.Create(CultureInfo.InvariantCulture, $"{r.Throughput:F1}/s"), string.Create(CultureInfo.InvariantCulture, $"{r.Goodput:F1}/s"),
                r.RequestsPerEngineCv.ToString("F2", CultureInfo.InvariantCulture));
        }
        report.Note("Times in ms. Throughput and goodput are completed requests per second; goodput counts those within the TTFT SLO. "
            + "CV per engine is the coefficient of variation of requests per engine.");
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"The oracle router on idle engines (every reusable prefix cached, no queueing) would have TTFT p50 {IdealTtft[workload.Name].P50:F0} ms and p99 {IdealTtft[workload.Name].P99:F0} ms: the first request of each prefix is cold under any router."));
        report.Note($"Plot: {SuitePlots.AgainstRate(workload.Name, runs, $"bench-results/routing-{workload.Name}.png")}");
        Console.WriteLine($"  Saved {report.Save($"routing-{workload.Name}")}");
        return runs;
    }

    private static async Task<RunSummary> RunOnceAsync(
        BenchMesh mesh, Workload workload, PrefixOracle oracle, string policy, int coordinators, double rate, double capacity, double slo,
        (double, Func<Task>)? midRun = null)
    {
        await mesh.ResetCachesAsync();
        var engines = (await BenchMesh.RoutableEnginesAsync(mesh.Coordinator)).Keys.ToList();
        var label = string.Create(CultureInfo.InvariantCulture, $"{workload.Name} {policy} x{coordinators} at {rate:F1}/s");
        var before = await DecisionCounts.ScrapeAsync(mesh.Coordinators);
        var results = await WorkloadRunner.RunAsync(workload, rate, mesh.Coordinators.Take(coordinators).ToList(), policy, label, midRun);
        var summary = RunSummary.Of(workload, oracle, policy, coordinators, rate, capacity, slo, engines, results);
        var decisions = (await DecisionCounts.ScrapeAsync(mesh.Coordinators)).Since(before);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {label}: hit {summary.HitRate:P1} ({summary.ShareOfOracle:P0} of oracle), TTFT p50/p99 {summary.TtftP50:F0}/{summary.TtftP99:F0} ms, errors {summary.Errors}, CV {summary.RequestsPerEngineCv:F2}; decisions: {decisions}"));
        return summary;
    }

    /// <summary>Kills an engine mid-run (SIGKILL: its cache is lost, the orchestrator restarts it under a new epoch) and plots the hit rate through it.</summary>
    private static async Task RunRestartAsync(BenchMesh mesh, Workload workload, double prefillMsPerToken)
    {
        var oracle = PrefixOracle.For(workload);
        var capacity = Engines * 1000 / (oracle.AveragePromptTokens * prefillMsPerToken);
        var rate = 0.8 * capacity;
        var victim = mesh.App.Replicas("engine")[0].Id;
        var killedAt = 0.0;
        var started = DateTime.UtcNow;
        await mesh.ResetCachesAsync();
        var engines = (await BenchMesh.RoutableEnginesAsync(mesh.Coordinator)).Keys.ToList();
        started = DateTime.UtcNow;
        var results = await WorkloadRunner.RunAsync(workload, rate, mesh.Coordinators.Take(1).ToList(), RoutingPolicyNames.PrefixAware, "restart", (0.4, () =>
        {
            killedAt = (DateTime.UtcNow - started).TotalSeconds;
            Console.WriteLine($"      killing {victim}");
            return mesh.App.KillAsync(victim);
        }));
        var summary = RunSummary.Of(workload, oracle, RoutingPolicyNames.PrefixAware, 1, rate, capacity, 0, engines, results);
        const double window = 5;
        var buckets = results.Where(r => r.Ok).GroupBy(r => Math.Floor(r.SentAtMs / 1000 / window))
            .OrderBy(g => g.Key)
            .Select(g => (Seconds: (g.Key + 0.5) * window, HitRate: g.Sum(r => (double)r.Result.CachedTokens) / g.Sum(r => (double)r.Result.PromptTokens)))
            .ToList();
        // The later half of what was sent after the kill: a fixed delay would fall past the end of a run at a fast cost model.
        var lastSent = results.Max(r => r.SentAtMs) / 1000;
        var afterRecovery = results.Where(r => r.Ok && r.SentAtMs / 1000 > (killedAt + lastSent) / 2).ToList();
        var report = new Report($"Engine killed mid-run: {workload.Shape}, prefix_aware at {rate:F1} req/s",
            "requests", "errors", "hit rate, whole run", "of oracle", "hit rate, later half after the kill", "TTFT p99");
        report.Row(summary.Requests, summary.Errors, Percent(summary.HitRate), Percent(summary.ShareOfOracle),
            Percent(afterRecovery.Sum(r => (double)r.Result.CachedTokens) / Math.Max(1, afterRecovery.Sum(r => (double)r.Result.PromptTokens))), summary.TtftP99);
        report.Note(string.Create(CultureInfo.InvariantCulture, $"{victim} was killed {killedAt:F1} s into the run and restarted under a new epoch ({mesh.App.Instance(victim).Restarts} restart)."));
        report.Note($"Plot: {SuitePlots.Timeline("Hit rate through an engine restart (uniform, prefix_aware)", buckets, killedAt, "bench-results/routing-restart.png")}");
        Console.WriteLine($"  Saved {report.Save("routing-restart")}");
    }

    /// <summary>The issue's targets, each with the measured figure, side by side.</summary>
    private static void WriteTargets(List<RunSummary> runs)
    {
        var report = new Report("Targets", "workload", "measure", "target", "measured", "met", "best possible");
        foreach (var workload in runs.Select(r => r.Workload).Distinct())
        {
            var single = runs.Where(r => r.Workload == workload && r.Coordinators == 1).ToList();
            RunSummary Of(string policy, double share) => single.First(r => r.Policy == policy && Math.Abs(r.RateShareOfCapacity - share) < 0.01);
            if (workload == "lowshare")
            {
                foreach (var share in RateShares)
                {
                    var ratio = Of(RoutingPolicyNames.PrefixAware, share).TtftP50 / Of(RoutingPolicyNames.LeastLoaded, share).TtftP50;
                    report.Row(workload, $"TTFT p50 vs least_loaded at {share:P0}", "within 5%", $"{ratio:F2}x", Met(ratio <= 1.05), "");
                }
                continue;
            }
            foreach (var share in RateShares.Where(s => s <= 0.8))
            {
                var prefix = Of(RoutingPolicyNames.PrefixAware, share);
                var roundRobin = Of(RoutingPolicyNames.RoundRobin, share);
                var (idealP50, idealP99) = IdealTtft[workload];
                report.Row(workload, $"hit rate of oracle at {share:P0}", ">= 90%", Percent(prefix.ShareOfOracle), Met(prefix.ShareOfOracle >= 0.9), "100 %");
                report.Row(workload, $"TTFT p50 vs round_robin at {share:P0}", ">= 4x better", $"{roundRobin.TtftP50 / prefix.TtftP50:F1}x",
                    Met(roundRobin.TtftP50 >= 4 * prefix.TtftP50), $"{roundRobin.TtftP50 / idealP50:F1}x");
                report.Row(workload, $"TTFT p99 vs round_robin at {share:P0}", ">= 3x better", $"{roundRobin.TtftP99 / prefix.TtftP99:F1}x",
                    Met(roundRobin.TtftP99 >= 3 * prefix.TtftP99), $"{roundRobin.TtftP99 / idealP99:F1}x");
            }
            var one = Of(RoutingPolicyNames.PrefixAware, 0.8);
            foreach (var many in runs.Where(r => r.Workload == workload && r.Coordinators > 1).OrderBy(r => r.Coordinators))
            {
                var points = (one.HitRate - many.HitRate) * 100;
                report.Row(workload, $"hit rate, 1 -> {many.Coordinators} coordinators", "<= 1 point lost", $"{points:F1} points", Met(points <= 1), "0 points");
            }
            var saturated = Of(RoutingPolicyNames.PrefixAware, 1.0);
            report.Row(workload, "CV of requests per engine at capacity", "<= 0.2", saturated.RequestsPerEngineCv.ToString("F2", CultureInfo.InvariantCulture),
                Met(saturated.RequestsPerEngineCv <= 0.2), "");
        }
        Console.WriteLine($"  Saved {report.Save("routing-targets")}");
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Percent(double value) => value.ToString("P1", CultureInfo.InvariantCulture);
}
