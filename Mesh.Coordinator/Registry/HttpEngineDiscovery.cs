using System.Net.Http.Json;
using Mesh.Contracts.Registry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Registry;

/// <summary>
/// Engine discovery without Redis: polls <c>/v1/engine/heartbeat</c> on every configured engine URL
/// (<c>Coordinator:Engines</c> and the Aspire-style <c>services:*:http:*</c> references) each refresh interval. An
/// engine that answers is registered like a heartbeat key; one that stops answering leaves routing.
/// </summary>
internal sealed partial class HttpEngineDiscovery(
    EngineRegistry registry,
    EngineConnection engines,
    IConfiguration configuration,
    IOptions<CoordinatorOptions> options,
    ILogger<HttpEngineDiscovery> logger) : BackgroundService
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var urls = Urls();
        LogPolling(urls.Count, string.Join(", ", urls));
        if (urls.Count == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(options.Value.RegistryRefreshInterval);
        do
        {
            var beats = await Task.WhenAll(urls.Select(url => PollAsync(engines, url, stoppingToken)));
            registry.ApplyKeys([.. beats.OfType<EngineHeartbeat>()], complete: true);
        }
        while (!stoppingToken.IsCancellationRequested && await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    /// <summary>The engine's heartbeat, at the configured URL (the one polled, whatever the engine says of itself).</summary>
    private static async Task<EngineHeartbeat?> PollAsync(EngineConnection engines, string url, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PollTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url + "/v1/engine/heartbeat"));
            if (engines.EngineApiKey is { } key)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            }
            using var response = await engines.Invoker.SendAsync(request, timeout.Token);
            response.EnsureSuccessStatusCode();
            var heartbeat = await response.Content.ReadFromJsonAsync(RegistryJsonContext.Default.EngineHeartbeat, timeout.Token);
            return heartbeat is null ? null : heartbeat with { Url = url };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private List<string> Urls()
    {
        var urls = new List<string>(options.Value.Engines);
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            urls.AddRange(service.GetSection("http").GetChildren().Select(endpoint => endpoint.Value).OfType<string>());
        }
        return [.. urls.Select(u => u.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No Redis: discovering {Count} engine URL(s) over HTTP: {Urls}.")]
    private partial void LogPolling(int count, string urls);
}
