using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Mesh.Bench.Coordinator;
using Mesh.Contracts.Telemetry;

namespace Mesh.Bench.Routing;

/// <summary>
/// Plays a workload open loop: each request starts at its arrival time scaled to the rate, whether or not earlier
/// ones have finished (a later turn of a conversation also waits for the turn before it). Requests go to the
/// coordinators in turn, as a load balancer in front of them would send them.
/// </summary>
public static class WorkloadRunner
{
    public static async Task<TimedResult[]> RunAsync(
        Workload workload, double rate, IReadOnlyList<HttpClient> coordinators, string policy, string label,
        (double AtFraction, Func<Task> Action)? midRun = null)
    {
        var requests = workload.Requests;
        var results = new TimedResult?[requests.Count];
        var done = requests.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var clock = Stopwatch.StartNew();
        var duration = requests.Max(r => r.ArrivalAtUnitRate) / rate;
        var midRunTask = midRun is { } m ? RunAtAsync(clock, TimeSpan.FromSeconds(duration * m.AtFraction), m.Action) : Task.CompletedTask;
        var tasks = new List<Task>(requests.Count);
        var lastReport = 0L;
        foreach (var request in requests.OrderBy(r => r.ArrivalAtUnitRate))
        {
            var due = TimeSpan.FromSeconds(request.ArrivalAtUnitRate / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var client = coordinators[request.Index % coordinators.Count];
            tasks.Add(SendAsync(request, client, policy, clock, done, results));
            if (clock.ElapsedMilliseconds - lastReport > 5000)
            {
                lastReport = clock.ElapsedMilliseconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {label}: {tasks.Count}/{requests.Count} sent"));
            }
        }
        await Task.WhenAll(tasks);
        await midRunTask;
        return [.. results.Select(r => r!)];
    }

    private static async Task SendAsync(
        WorkloadRequest request, HttpClient client, string policy, Stopwatch clock, TaskCompletionSource[] done, TimedResult?[] results)
    {
        try
        {
            if (request.After is { } previous)
            {
                await done[previous].Task; // a conversation's next turn comes after its previous answer
            }
            var sentAt = clock.Elapsed.TotalMilliseconds;
            var result = await OpenLoopLoad.SendAsync(client, new Uri("/v1/chat/completions", UriKind.Relative), Body(request), (MeshHeaders.Policy, policy));
            results[request.Index] = new TimedResult(request.Index, sentAt, result);
        }
        finally
        {
            done[request.Index].TrySetResult();
        }
    }

    private static JsonObject Body(WorkloadRequest request) => new()
    {
        ["messages"] = new JsonArray([.. request.Messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
        ["max_tokens"] = request.MaxTokens,
        ["temperature"] = 0,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    private static async Task RunAtAsync(Stopwatch clock, TimeSpan at, Func<Task> action)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        await action();
    }
}
