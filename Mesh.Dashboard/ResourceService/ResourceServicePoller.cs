using Mesh.Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.ResourceService;

/// <summary>Polls the resource service about once a second and keeps the latest answer for the pages and the API.</summary>
internal sealed class ResourceServicePoller(
    ResourceServiceClient client, IOptions<DashboardOptions> options, TimeProvider time, ILogger<ResourceServicePoller> logger) : BackgroundService
{
    private ResourceServiceState _state = ResourceServiceState.NotConfigured;

    public ResourceServiceState State => Volatile.Read(ref _state);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!client.IsConfigured)
        {
            logger.LogInformation("No resource service URL is configured (Dashboard:ResourceServiceClient:Url); the resources page will say so.");
            return;
        }
        Volatile.Write(ref _state, new ResourceServiceState(true, [], null, "Not reached yet.", 0));
        using var timer = new PeriodicTimer(options.Value.ResourceServiceClient.PollInterval, time);
        var failing = false;
        do
        {
            var previous = State;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(options.Value.ResourceServiceClient.RequestTimeout);
                var resources = await client.GetResourcesAsync(timeout.Token);
                Volatile.Write(ref _state, new ResourceServiceState(true, resources, time.GetUtcNow(), null, previous.Version + 1));
                failing = false;
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or NotSupportedException or System.Text.Json.JsonException && !stoppingToken.IsCancellationRequested)
            {
                var message = error is TaskCanceledException ? "The resource service did not answer in time." : error.Message;
                Volatile.Write(ref _state, previous with { Error = message, Version = previous.Version + 1 });
                if (!failing)
                {
                    logger.LogWarning("The resource service at {Url} cannot be read: {Error}", client.BaseUrl, message);
                    failing = true;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
