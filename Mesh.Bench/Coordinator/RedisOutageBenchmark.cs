using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Mesh.Bench.Coordinator;

/// <summary>
/// What a Redis outage costs a request, side by side with a healthy run under the same load: Redis hung (SIGSTOP:
/// connections stay open and nothing answers) and Redis killed (connections refused until the AppHost restarts it).
/// Routing falls back to load from the coordinator's own state; the figures say how fast.
/// </summary>
public static class RedisOutageBenchmark
{
    public static async Task<int> RunAsync(double rate, int seconds)
    {
        Console.WriteLine($"Redis outage at {rate} requests/s, {seconds} s per phase, 4 simulated engines.");
        await using var mesh = await BenchMesh.StartAsync(4);
        var load = new OpenLoopLoad(mesh.Coordinator);
        var redis = mesh.App.Instance("redis").ProcessId!.Value;
        (Uri, JsonObject, HttpClient?) Request(int i) => (new Uri("/v1/chat/completions", UriKind.Relative), Body(i), null);
        await load.RunAsync(Request, rate, TimeSpan.FromSeconds(2), "warm-up");

        var report = new Report($"Requests during a Redis outage ({rate} req/s, 4 simulated engines, streamed, 2 completion tokens)",
            "Redis", "requests", "errors", "latency p50 ms", "latency p99 ms", "latency max ms", "TTFT p50 ms", "TTFT p99 ms", "/health ms");
        await PhaseAsync(report, "healthy", load, Request, rate, seconds, mesh);
        Signal(redis, "STOP");
        try
        {
            await PhaseAsync(report, "hung (SIGSTOP)", load, Request, rate, seconds, mesh);
        }
        finally
        {
            Signal(redis, "CONT");
        }
        var restarts = mesh.App.Instance("redis").Restarts;
        await mesh.App.KillAsync("redis");
        await PhaseAsync(report, "killed, then restarted", load, Request, rate, seconds, mesh);
        await mesh.App.WaitForRestartAsync("redis", restarts);
        await PhaseAsync(report, "back", load, Request, rate, seconds, mesh);
        report.Note("The coordinator asks Redis with a 250 ms timeout; a timeout or refusal opens a circuit for 2 s, during which it routes by load without asking.");
        Console.WriteLine($"Saved {report.Save("redis-outage")}");
        return 0;
    }

    private static async Task PhaseAsync(
        Report report, string phase, OpenLoopLoad load, Func<int, (Uri, JsonObject, HttpClient?)> request, double rate, int seconds, BenchMesh mesh)
    {
        var results = await load.RunAsync(request, rate, TimeSpan.FromSeconds(seconds), phase);
        var started = Stopwatch.GetTimestamp();
        using (await mesh.Coordinator.GetAsync(new Uri("/health", UriKind.Relative)))
        {
        }
        var healthMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var ok = results.Where(r => r.Error is null).ToList();
        report.Row(phase, results.Count, results.Count - ok.Count,
            Percentiles.Of(ok.Select(r => r.LatencyMs), 50), Percentiles.Of(ok.Select(r => r.LatencyMs), 99), ok.Count == 0 ? 0 : ok.Max(r => r.LatencyMs),
            Percentiles.Of(ok.Select(r => r.TimeToFirstTokenMs), 50), Percentiles.Of(ok.Select(r => r.TimeToFirstTokenMs), 99), healthMs);
    }

    private static void Signal(int pid, string signal) => Process.Start("kill", $"-{signal} {pid}")!.WaitForExit();

    private static JsonObject Body(int i) => new()
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = string.Create(CultureInfo.InvariantCulture, $"Outage question {i}: how do meshes route?") }),
        ["max_tokens"] = 2,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };
}
