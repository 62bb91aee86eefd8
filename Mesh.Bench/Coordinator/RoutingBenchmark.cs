using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;

namespace Mesh.Bench.Coordinator;

/// <summary>
/// prefix_aware against round_robin on a shared-prefix workload: many conversations share a few long system
/// prompts, and four simulated engines can each hold only part of them. Both policies see the same requests in the
/// same order and rate, from clean caches, in one run; the report gives the prefix hit rate and TTFT, and a CDF plot.
/// </summary>
public static class RoutingBenchmark
{
    private const int Prefixes = 32;
    private const int PrefixWords = 420;

    public static async Task<int> RunAsync(double rate, int seconds)
    {
        // Each engine holds 320 blocks (about ten of the 32 system prompts of ~32 blocks): less than the whole set.
        const int capacityBlocks = 320;
        Console.WriteLine($"Routing policies on a shared-prefix workload: {Prefixes} system prompts, {rate} req/s for {seconds} s, 4 engines of {capacityBlocks} KV blocks.");
        await using var mesh = await BenchMesh.StartAsync(4, $"--Mesh:Engines:KvCapacityBlocks={capacityBlocks}");
        var prompts = Enumerable.Range(0, Prefixes).Select(SystemPrompt).ToArray();
        var random = new Random(42);
        var schedule = Enumerable.Range(0, (int)(rate * seconds)).Select(_ => Zipf(random, Prefixes)).ToArray();

        var report = new Report($"Routing policies on a shared-prefix workload ({Prefixes} system prompts of ~500 tokens, {rate} req/s, 4 simulated engines x {capacityBlocks} KV blocks)",
            "policy", "requests", "errors", "prefix hit rate", "requests with a hit", "TTFT p50 ms", "TTFT p90 ms", "TTFT p99 ms");
        var ttfts = new Dictionary<string, double[]>();
        foreach (var policy in new[] { "round_robin", "prefix_aware" })
        {
            await mesh.ResetCachesAsync();
            var load = new OpenLoopLoad(mesh.Coordinator);
            var results = await load.RunAsync(i => (new Uri("/v1/chat/completions", UriKind.Relative), Body(prompts[schedule[i]], i), null),
                rate, TimeSpan.FromSeconds(seconds), policy, (MeshHeaders.Policy, policy));
            var ok = results.Where(r => r.Error is null).ToList();
            var hitRate = ok.Sum(r => r.CachedTokens) / (double)Math.Max(1, ok.Sum(r => r.PromptTokens));
            var withHit = ok.Count(r => r.CachedTokens > 0) / (double)Math.Max(1, ok.Count);
            ttfts[policy] = [.. ok.Select(r => r.TimeToFirstTokenMs).Order()];
            report.Row(policy, results.Count, results.Count - ok.Count,
                hitRate.ToString("P1", CultureInfo.InvariantCulture), withHit.ToString("P1", CultureInfo.InvariantCulture),
                Percentiles.Of(ttfts[policy], 50), Percentiles.Of(ttfts[policy], 90), Percentiles.Of(ttfts[policy], 99));
        }
        var plot = TtftPlot.Save(ttfts, "bench-results/routing-ttft-cdf.png");
        report.Note($"TTFT distribution: {plot}");
        Console.WriteLine($"Saved {report.Save("routing-policies")}");
        return 0;
    }

    /// <summary>A few prompts are hot, most are lukewarm (Zipf, s = 1), as system prompts of real applications are.</summary>
    private static int Zipf(Random random, int n)
    {
        var total = Enumerable.Range(1, n).Sum(k => 1.0 / k);
        var draw = random.NextDouble() * total;
        for (var k = 1; k <= n; k++)
        {
            draw -= 1.0 / k;
            if (draw <= 0)
            {
                return k - 1;
            }
        }
        return n - 1;
    }

    private static string SystemPrompt(int index)
    {
        var random = new Random(1000 + index);
        string[] words = ["route", "cache", "engine", "block", "token", "prefix", "latency", "replica", "stream", "decode", "prefill", "queue", "policy", "tier"];
        var text = new StringBuilder($"You are assistant number {index}. ");
        for (var w = 0; w < PrefixWords; w++)
        {
            text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ". " : " ");
        }
        return text.ToString();
    }

    private static JsonObject Body(string system, int i) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = $"Question {i}?" }),
        ["max_tokens"] = 4,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };
}
