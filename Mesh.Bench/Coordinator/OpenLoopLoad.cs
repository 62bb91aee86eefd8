using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.Bench.Coordinator;

/// <summary>
/// An open-loop load generator: requests start on a fixed schedule (the rate), whether or not earlier ones have
/// finished, so a slow server shows up as latency instead of silently lowering the load.
/// </summary>
public sealed class OpenLoopLoad(HttpClient client)
{
    public async Task<IReadOnlyList<RequestResult>> RunAsync(
        Func<int, (Uri Url, JsonObject Body, HttpClient? Client)> request, double ratePerSecond, TimeSpan duration, string label,
        params (string Name, string Value)[] headers)
    {
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var results = new RequestResult[total];
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        var lastReport = 0L;
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / ratePerSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var index = i;
            var (url, body, target) = request(i);
            tasks.Add(Task.Run(async () => results[index] = await SendAsync(target ?? client, url, body, headers)));
            if (clock.ElapsedMilliseconds - lastReport > 2000)
            {
                lastReport = clock.ElapsedMilliseconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {label}: {i + 1}/{total} sent"));
            }
        }
        await Task.WhenAll(tasks);
        return results;
    }

    /// <summary>Streams the response and notes when the first content arrives.</summary>
    public static async Task<RequestResult> SendAsync(HttpClient client, Uri url, JsonObject body, params (string Name, string Value)[] headers)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode)
            {
                return new RequestResult(Elapsed(started), 0, null, 0, 0, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            var engine = response.Headers.TryGetValues("x-mesh-engine", out var e) ? e.First()
                : response.Headers.TryGetValues("x-mesh-engine-id", out var id) ? id.First() : null;
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            double ttft = 0;
            int prompt = 0, cached = 0, completion = 0;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith("data: {", StringComparison.Ordinal))
                {
                    continue;
                }
                if (ttft == 0 && (HasText(line, "\"content\":\"") || HasText(line, "\"text\":\"")))
                {
                    ttft = Elapsed(started);
                }
                if (line.Contains("\"usage\":{", StringComparison.Ordinal))
                {
                    var usage = JsonNode.Parse(line[6..])!["usage"]!;
                    prompt = (int)usage["prompt_tokens"]!;
                    cached = (int)usage["prompt_tokens_details"]!["cached_tokens"]!;
                    completion = (int)usage["completion_tokens"]!;
                }
            }
            return new RequestResult(Elapsed(started), ttft, engine, prompt, cached, 200, null, completion);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            return new RequestResult(Elapsed(started), 0, null, 0, 0, 0, ex.Message);
        }
    }

    /// <summary>The chunk carries text (a role chunk's empty content is no token).</summary>
    private static bool HasText(string line, string key)
    {
        var at = line.IndexOf(key, StringComparison.Ordinal);
        return at >= 0 && at + key.Length < line.Length && line[at + key.Length] != '"';
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
