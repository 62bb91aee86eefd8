using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>A steady stream of streamed requests from a few workers, each result recorded with its engines and timing.</summary>
internal sealed class LoadLoop(HttpClient client, Func<JsonObject> body, int workers) : IDisposable
{
    private readonly ConcurrentBag<LoadResult> _results = [];
    private readonly CancellationTokenSource _stop = new();
    private Task[]? _workers;

    public Task WarmUpAsync(int requests)
    {
        _workers = [.. Enumerable.Range(0, workers).Select(_ => Task.Run(WorkAsync))];
        return WaitForMoreAsync(requests);
    }

    /// <summary>Waits until <paramref name="requests"/> more requests have completed (successfully or not).</summary>
    public Task WaitForMoreAsync(int requests)
    {
        var target = _results.Count + requests;
        return Eventually.TrueAsync(() => _results.Count >= target, () => $"{_results.Count} of {target} requests completed");
    }

    public async Task<IReadOnlyList<LoadResult>> StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }
        if (_workers is not null)
        {
            await Task.WhenAll(_workers);
        }
        return [.. _results];
    }

    public void Dispose() => _stop.Dispose();

    private async Task WorkAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await OpenAIClient.StreamAsync(client, "/v1/chat/completions", body());
                var engines = result.Events.LastOrDefault(e => e["mesh"]?["engines"] is not null)?["mesh"]!["engines"]!.AsArray().Select(e => (string)e!).ToArray() ?? [];
                var error = result.StatusCode != 200 ? $"{result.StatusCode}: {result.ErrorBody}"
                    : !result.Done ? "stream ended without [DONE]"
                    : result.Error is { } e ? $"error event: {e.ToJsonString()}"
                    : null;
                _results.Add(new LoadResult(started, Stopwatch.GetTimestamp(), engines, error));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                _results.Add(new LoadResult(started, Stopwatch.GetTimestamp(), [], ex.Message));
            }
        }
    }
}

internal sealed record LoadResult(long StartedAt, long FinishedAt, string[] Engines, string? Error);
