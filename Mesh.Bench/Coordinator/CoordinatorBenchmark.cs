using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Contracts.Hashing;
using Mesh.Contracts.Tokenization;
using StackExchange.Redis;

namespace Mesh.Bench.Coordinator;

/// <summary>
/// What the coordinator adds to a request, measured side by side with the same requests sent straight to the engines
/// (round robin by the client), against the best possible: one loopback HTTP hop. Four parts, one mesh (four simulated
/// engines heartbeating every 250 ms):
/// - added TTFT at 50 requests/s, short prompts;
/// - added TTFT for a 100,000-character prompt (its prefix cached on every engine, so the engines' work is small and
///   the coordinator's tokenizing and hashing show);
/// - the coordinator's CPU per request at a high rate (500 requests/s by default);
/// - the coordinator's CPU when idle;
/// and the prefix-index round trips per routing decision, counted by the coordinator and by Redis itself.
/// </summary>
public static class CoordinatorBenchmark
{
    private const double LatencyRate = 50;
    private const double LongPromptRate = 4;
    private const int LongPromptCharacters = 100_000;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(double rate, int seconds)
    {
        Console.WriteLine($"Coordinator overhead: {LatencyRate} and {rate} requests/s, {seconds} s per run, 4 simulated engines.");
        await using var mesh = await BenchMesh.StartAsync(4, "--Mesh:Engines:SimulatedContextWindow=65536");
        var load = new OpenLoopLoad(mesh.Coordinator);
        var engines = mesh.EngineUrls;
        using var direct = mesh.CreateEngineClient();
        var chat = new Uri("/v1/chat/completions", UriKind.Relative);
        var coordinatorPid = ProcessTree.Service(mesh.App.Instance("coordinator").ProcessId!.Value);
        Func<int, (Uri, JsonObject, HttpClient?)> Direct(Func<int, JsonObject> body) => i => (new Uri(engines[i % engines.Count], "/v1/chat/completions"), body(i), direct);
        Func<int, (Uri, JsonObject, HttpClient?)> Through(Func<int, JsonObject> body) => i => (chat, body(i), null);

        Console.WriteLine("  Warming up...");
        await load.RunAsync(Direct(Short), rate / 2, TimeSpan.FromSeconds(2), "warm-up direct");
        await load.RunAsync(Through(Short), rate / 2, TimeSpan.FromSeconds(2), "warm-up coordinator");

        // 1. Added TTFT at a moderate rate, with one loopback hop (GET /alive on the coordinator) as the floor.
        var ttft = new Report($"Added time to first token at {LatencyRate} req/s (4 simulated engines, short prompts, streamed)",
            "path", "requests", "errors", "TTFT p50 ms", "TTFT p90 ms", "TTFT p99 ms", "latency p50 ms", "latency p99 ms");
        var (directShort, meshShort) = await SideBySideAsync(load, Direct(Short), Through(Short), LatencyRate, seconds, "short");
        var hop = await HopAsync(mesh.Coordinator, LatencyRate, seconds);
        Row(ttft, "direct to engines", directShort);
        Row(ttft, "through coordinator", meshShort);
        ttft.Row("one loopback hop (GET /alive)", hop.Count, 0, P(hop, 50), P(hop, 90), P(hop, 99), "", "");
        ttft.Note(Added("Added TTFT", directShort, meshShort, r => r.TimeToFirstTokenMs) + string.Create(CultureInfo.InvariantCulture,
            $" The best possible is one loopback hop: p50 {P(hop, 50):F2} ms, p99 {P(hop, 99):F2} ms."));

        // 2. A 100,000-character prompt whose prefix every engine already holds.
        var prefix = LongText(LongPromptCharacters);
        Console.WriteLine("  Caching the long prompt's prefix on every engine...");
        foreach (var engine in engines)
        {
            var warm = await OpenLoopLoad.SendAsync(direct, new Uri(engine, "/v1/chat/completions"), Long(prefix, -1));
            if (warm.Error is not null)
            {
                throw new InvalidOperationException($"The long prompt failed on {engine}: {warm.Error}");
            }
        }
        var (directLong, meshLong) = await SideBySideAsync(load, Direct(i => Long(prefix, i)), Through(i => Long(prefix, i)), LongPromptRate, seconds, "long prompt");
        var tokenizeMs = TokenizeAndHashMs(prefix, out var promptTokens);
        ttft.Note(string.Create(CultureInfo.InvariantCulture,
            $"A {LongPromptCharacters:N0}-character prompt ({promptTokens:N0} tokens, its prefix cached on every engine), {LongPromptRate} req/s: "
            + $"direct TTFT p50 {P(directLong, 50, r => r.TimeToFirstTokenMs):F1} ms, through the coordinator {P(meshLong, 50, r => r.TimeToFirstTokenMs):F1} ms; ")
            + Added("added", directLong, meshLong, r => r.TimeToFirstTokenMs)
            + string.Create(CultureInfo.InvariantCulture, $" Tokenizing and hashing it once, in this process: {tokenizeMs:F2} ms (median of 20)."));

        // 3. CPU per request at a high rate.
        var before = ProcessCpu.Of(coordinatorPid);
        var busy = await load.RunAsync(Through(Short), rate, TimeSpan.FromSeconds(seconds), $"coordinator at {rate}/s");
        var cpu = ProcessCpu.Of(coordinatorPid) - before;
        var perRequest = cpu.TotalMilliseconds / Math.Max(1, busy.Count);
        ttft.Note(string.Create(CultureInfo.InvariantCulture,
            $"The coordinator's CPU at {rate} req/s: {perRequest:F3} ms per request ({cpu.TotalSeconds:F2} s for {busy.Count} requests, "
            + $"{busy.Count(r => r.Error is not null)} errors; from /proc, every cost of the process included)."));

        // 4. Idle.
        var redis = await ConnectionMultiplexer.ConnectAsync(await mesh.App.ConnectionStringAsync("redis") + ",allowAdmin=true");
        var scriptsBefore = await ScriptCallsAsync(redis);
        var metricsBefore = await ScrapeAsync(mesh.Coordinator);
        Console.WriteLine($"  Idle for {IdleWindow.TotalSeconds:F0} s...");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var idleBefore = ProcessCpu.Of(coordinatorPid);
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(IdleWindow);
        var idle = (ProcessCpu.Of(coordinatorPid) - idleBefore) / idleClock.Elapsed;
        ttft.Note(string.Create(CultureInfo.InvariantCulture,
            $"The idle coordinator, four engines heartbeating every 250 ms: {idle * 100:F2} % of one core over {IdleWindow.TotalSeconds:F0} s."));

        // Redis round trips per decision, over a short run at the moderate rate.
        await load.RunAsync(Through(Short), LatencyRate, TimeSpan.FromSeconds(4), "round trips");
        var scriptsAfter = await ScriptCallsAsync(redis);
        var metricsAfter = await ScrapeAsync(mesh.Coordinator);
        await redis.DisposeAsync();
        var decisions = metricsAfter.Decisions - metricsBefore.Decisions;
        var lookups = metricsAfter.Lookups - metricsBefore.Lookups;
        var records = metricsAfter.Records - metricsBefore.Records;
        var scripts = scriptsAfter - scriptsBefore;
        ttft.Note(string.Create(CultureInfo.InvariantCulture,
            $"Redis round trips per routing decision: {lookups / Math.Max(1, decisions):F3} (lookups {lookups:F0} / decisions {decisions:F0}); "
            + $"with the record of the choice: {(lookups + records) / Math.Max(1, decisions):F3}. "
            + $"Redis's own count of script calls in the same window: {scripts} ({scripts / Math.Max(1, decisions):F3} per decision)."));
        ttft.Note($"This machine has {Environment.ProcessorCount} cores, shared by the load generator, Redis, four engines and the coordinator.");
        Console.WriteLine($"Saved {ttft.Save("coordinator-overhead")}");
        return 0;
    }

    /// <summary>The same load straight to the engines and through the coordinator, alternating in four rounds so drift hits both.</summary>
    private static async Task<(List<RequestResult> Direct, List<RequestResult> Mesh)> SideBySideAsync(
        OpenLoopLoad load, Func<int, (Uri, JsonObject, HttpClient?)> direct, Func<int, (Uri, JsonObject, HttpClient?)> through,
        double rate, int seconds, string label)
    {
        List<RequestResult> directResults = [], meshResults = [];
        for (var round = 0; round < 4; round++)
        {
            directResults.AddRange(await load.RunAsync(direct, rate, TimeSpan.FromSeconds(seconds / 4.0), $"{label} direct {round + 1}/4"));
            meshResults.AddRange(await load.RunAsync(through, rate, TimeSpan.FromSeconds(seconds / 4.0), $"{label} coordinator {round + 1}/4"));
        }
        return (directResults, meshResults);
    }

    /// <summary>One loopback HTTP round trip to the coordinator at the same rate: what any proxy adds at least.</summary>
    private static async Task<List<double>> HopAsync(HttpClient client, double rate, int seconds)
    {
        var total = (int)(rate * seconds / 2);
        var tasks = new List<Task<double>>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var wait = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            tasks.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(new Uri("/alive", UriKind.Relative));
                await response.Content.ReadAsByteArrayAsync();
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }));
        }
        return [.. await Task.WhenAll(tasks)];
    }

    private static double TokenizeAndHashMs(string text, out int tokens)
    {
        var samples = new List<double>();
        tokens = 0;
        for (var i = 0; i < 20; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var ids = MeshTokenizer.Instance.Encode(text);
            PrefixBlockHasher.ComputeHashes(ids, PrefixBlockHasher.DefaultBlockSize);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            tokens = ids.Length;
        }
        return Percentiles.Of(samples, 50);
    }

    private static string Added(string what, List<RequestResult> direct, List<RequestResult> mesh, Func<RequestResult, double> measure) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{what} (coordinator minus direct): p50 {P(mesh, 50, measure) - P(direct, 50, measure):F2} ms, p99 {P(mesh, 99, measure) - P(direct, 99, measure):F2} ms.");

    private static double P(List<RequestResult> results, double p, Func<RequestResult, double> measure) =>
        Percentiles.Of(results.Where(r => r.Error is null).Select(measure), p);

    private static double P(List<double> values, double p) => Percentiles.Of(values, p);

    private static void Row(Report report, string path, List<RequestResult> results) =>
        report.Row(path, results.Count, results.Count(r => r.Error is not null),
            P(results, 50, r => r.TimeToFirstTokenMs), P(results, 90, r => r.TimeToFirstTokenMs), P(results, 99, r => r.TimeToFirstTokenMs),
            P(results, 50, r => r.LatencyMs), P(results, 99, r => r.LatencyMs));

    private static JsonObject Short(int i) => Chat($"request {i}: a short question about routing");

    /// <summary>The long prefix and a short question of its own (<paramref name="i"/> = -1: the prefix alone).</summary>
    private static JsonObject Long(string prefix, int i) => Chat(i < 0 ? prefix : $"{prefix}\nQuestion {i}: what does this say?");

    private static JsonObject Chat(string content) => new()
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        ["max_tokens"] = 2,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    /// <summary>Prose-like text of the given length: words of varied length, punctuation and line breaks.</summary>
    private static string LongText(int characters)
    {
        var random = new Random(20261202);
        string[] words = ["mesh", "engine", "prefix", "cache", "routing", "token", "coordinator", "latency", "the", "a", "of", "to", "and",
            "replica", "request", "stream", "block", "hash", "redis", "policy", "tier", "cloud", "local", "queue", "prefill", "decode"];
        var text = new StringBuilder(characters + 16);
        while (text.Length < characters)
        {
            text.Append(words[random.Next(words.Length)]);
            text.Append(random.Next(12) switch { 0 => ". ", 1 => ", ", 2 => "\n", _ => " " });
        }
        return text.ToString(0, characters);
    }

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
