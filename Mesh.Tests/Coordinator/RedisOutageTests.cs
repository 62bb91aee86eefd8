using System.Diagnostics;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// A Redis that hangs (stopped with SIGSTOP: connections stay open and nothing answers, the worst kind of outage) costs
/// requests at most the index's short timeout, not Redis's own: compared with a healthy baseline measured in the same test.
/// Afterwards the orchestrator still watches it.
/// </summary>
public sealed class RedisOutageTests(RedisOutageTests.Fixture mesh) : IClassFixture<RedisOutageTests.Fixture>
{
    public sealed class Fixture : MeshAppFixture
    {
        protected override string[] Arguments => TwoEngines();
    }

    private async Task<List<double>> MeasureAsync(int requests)
    {
        var latencies = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await OpenAIClient.PostJsonAsync(mesh.Coordinator, "/v1/chat/completions", OpenAIClient.Chat($"outage {i} {Guid.NewGuid():N}", 1));
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return latencies;
    }

    private static void Signal(int pid, string signal) => Process.Start("kill", $"-{signal} {pid}")!.WaitForExit();

    [Fact]
    public Task A_hung_Redis_adds_no_more_than_the_index_timeout_and_routing_recovers_when_it_answers_again() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var redis = mesh.App.Instance("redis").ProcessId!.Value;
        var healthy = await MeasureAsync(20);
        Signal(redis, "STOP");
        List<double> hung;
        double healthMs, enginesMs;
        try
        {
            hung = await MeasureAsync(20);
            var started = Stopwatch.GetTimestamp();
            using (var health = await mesh.Coordinator.GetAsync(new Uri("/health", UriKind.Relative)))
            {
                healthMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Assert.True(health.IsSuccessStatusCode, $"/health answered {(int)health.StatusCode}");
            }
            started = Stopwatch.GetTimestamp();
            var engines = await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines");
            enginesMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Assert.Equal(2, engines["engines"]!.AsArray().Count(e => (bool)e!["routable"]!));
        }
        finally
        {
            Signal(redis, "CONT");
        }

        var healthyP50 = Percentile(healthy, 50);
        var hungP50 = Percentile(hung, 50);
        // Generous bounds that a 2-second Redis timeout per request would break by far: the median request waits for
        // Redis not at all (the circuit is open), the slowest about one index timeout.
        Assert.True(hungP50 <= 3 * healthyP50 + 100, $"p50 {hungP50:F0} ms with Redis hung, {healthyP50:F0} ms healthy");
        Assert.True(hung.Max() <= healthy.Max() + 1500, $"max {hung.Max():F0} ms with Redis hung, {healthy.Max():F0} ms healthy");
        Assert.True(healthMs < 1500, $"/health took {healthMs:F0} ms");
        Assert.True(enginesMs < 1500, $"/v1/mesh/engines took {enginesMs:F0} ms");

        // Redis answers again: a repeated prefix is routed by the index once more.
        await Eventually.MatchAsync(async () =>
        {
            var system = $"After the outage {Guid.NewGuid():N}, answer questions about routing.";
            await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", OpenAIClient.Chat(system, 2, stream: true));
            return (string?)(await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", OpenAIClient.Chat(system, 2, stream: true))).Mesh?["reason"];
        }, reason => reason == "prefix_hit", reason => $"reason {reason}");

        // A health probe that timed out during the hang must not have ended the restart watch: killed now, Redis comes back.
        var restarts = mesh.App.Instance("redis").Restarts;
        await mesh.App.KillAsync("redis");
        await mesh.App.WaitForRestartAsync("redis", restarts);
    });

    private static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
