using System.Globalization;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Mesh.Bench.Coordinator;

/// <summary>
/// The coordinator's cost and its Redis traffic: the same open-loop load (500 requests/s by default) sent straight to
/// the simulated engines (round robin by the client) and through the coordinator, side by side in one run; and the
/// prefix-index round trips per routing decision, counted twice (the coordinator's counter and Redis's own command stats).
/// </summary>
public static class CoordinatorBenchmark
{
    public static async Task<int> RunAsync(double rate, int seconds)
    {
        Console.WriteLine($"Coordinator overhead at {rate} requests/s, {seconds} s per run, 4 simulated engines.");
        await using var mesh = await BenchMesh.StartAsync(4);
        var load = new OpenLoopLoad(mesh.Coordinator);
        var engines = mesh.EngineUrls;
        using var direct = mesh.CreateEngineClient();
        var chat = new Uri("/v1/chat/completions", UriKind.Relative);

        (Uri, JsonObject, HttpClient?) Direct(int i) => (new Uri(engines[i % engines.Count], "/v1/chat/completions"), Body(i), direct);
        (Uri, JsonObject, HttpClient?) ViaCoordinator(int i) => (chat, Body(i), null);

        Console.WriteLine("  Warming up...");
        await load.RunAsync(Direct, rate / 2, TimeSpan.FromSeconds(2), "warm-up direct");
        await load.RunAsync(ViaCoordinator, rate / 2, TimeSpan.FromSeconds(2), "warm-up coordinator");

        var redis = await ConnectionMultiplexer.ConnectAsync(mesh.App.GetConnectionString("redis")! + ",allowAdmin=true");
        var scriptsBefore = await ScriptCallsAsync(redis);
        var metricsBefore = await ScrapeAsync(mesh.Coordinator);

        var directResults = new List<RequestResult>();
        var meshResults = new List<RequestResult>();
        var coordinatorPid = mesh.App.Instances.Single(i => i.Resource.Name == "coordinator").Process!.ProcessId;
        var coordinatorCpu = TimeSpan.Zero;
        for (var round = 0; round < 2; round++)
        {
            directResults.AddRange(await load.RunAsync(Direct, rate, TimeSpan.FromSeconds(seconds / 2.0), $"direct {round + 1}/2"));
            var cpuBefore = ProcessCpu.Of(coordinatorPid);
            meshResults.AddRange(await load.RunAsync(ViaCoordinator, rate, TimeSpan.FromSeconds(seconds / 2.0), $"coordinator {round + 1}/2"));
            coordinatorCpu += ProcessCpu.Of(coordinatorPid) - cpuBefore;
        }

        var scriptsAfter = await ScriptCallsAsync(redis);
        var metricsAfter = await ScrapeAsync(mesh.Coordinator);
        await redis.DisposeAsync();

        var report = new Report($"Coordinator overhead at {rate} req/s (4 simulated engines, streamed, 2 completion tokens)",
            "path", "requests", "errors", "latency p50 ms", "latency p99 ms", "TTFT p50 ms", "TTFT p99 ms");
        Row(report, "direct to engines", directResults);
        Row(report, "through coordinator", meshResults);
        static List<RequestResult> Ok(List<RequestResult> r) => [.. r.Where(x => x.Error is null)];
        double P(List<RequestResult> r, double p) => Percentiles.Of(Ok(r).Select(x => x.LatencyMs), p);
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Overhead (coordinator minus direct): p50 {P(meshResults, 50) - P(directResults, 50):F2} ms, p99 {P(meshResults, 99) - P(directResults, 99):F2} ms."));

        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"The coordinator's own CPU time: {coordinatorCpu.TotalMilliseconds / Math.Max(1, meshResults.Count):F3} ms per request " +
            $"({coordinatorCpu.TotalSeconds:F2} s of CPU for {meshResults.Count} requests; from /proc, so every cost of the process is in it). " +
            $"This machine has {Environment.ProcessorCount} cores shared by the load generator, Redis, four engines and the coordinator, so the latency difference above includes waiting for a core."));
        var decisions = metricsAfter.Decisions - metricsBefore.Decisions;
        var lookups = metricsAfter.Lookups - metricsBefore.Lookups;
        var records = metricsAfter.Records - metricsBefore.Records;
        var scripts = scriptsAfter - scriptsBefore;
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Redis round trips per routing decision: {lookups / Math.Max(1, decisions):F3} (lookups {lookups:F0} / decisions {decisions:F0}); " +
            $"per request including the update after it: {(lookups + records) / Math.Max(1, decisions):F3}. " +
            $"Redis's own count of script calls in the same window: {scripts} ({scripts / Math.Max(1, decisions):F3} per decision, lookup and update together)."));
        Console.WriteLine($"Saved {report.Save("coordinator-overhead")}");
        return 0;
    }

    private static void Row(Report report, string path, List<RequestResult> results)
    {
        var ok = results.Where(r => r.Error is null).ToList();
        report.Row(path, results.Count, results.Count - ok.Count,
            Percentiles.Of(ok.Select(r => r.LatencyMs), 50), Percentiles.Of(ok.Select(r => r.LatencyMs), 99),
            Percentiles.Of(ok.Select(r => r.TimeToFirstTokenMs), 50), Percentiles.Of(ok.Select(r => r.TimeToFirstTokenMs), 99));
    }

    private static JsonObject Body(int i) => new()
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"request {i}: a short question about routing" }),
        ["max_tokens"] = 2,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    private static async Task<long> ScriptCallsAsync(ConnectionMultiplexer redis)
    {
        var server = redis.GetServers()[0];
        var info = await server.InfoAsync("commandstats");
        return info.SelectMany(group => group)
            .Where(pair => pair.Key is "cmdstat_evalsha" or "cmdstat_eval")
            .Sum(pair => long.Parse(pair.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture));
    }

    private sealed record Counts(double Decisions, double Lookups, double Records);

    private static async Task<Counts> ScrapeAsync(HttpClient coordinator)
    {
        var text = await coordinator.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double Sum(string name, string filter = "") => text.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(filter, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return new Counts(
            Sum("mesh_routing_decisions_total"),
            Sum("coordinator_prefix_index_round_trips_total", "operation=\"lookup\""),
            Sum("coordinator_prefix_index_round_trips_total", "operation=\"record\""));
    }
}
