using System.Net.Sockets;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Orchestration;

/// <summary>Whether an instance is healthy right now: its resource's own check, else a 2xx from its health path, else a live process.</summary>
internal static class HealthProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public static async Task<bool> CheckAsync(ResourceInstance instance, CancellationToken cancellationToken)
    {
        try
        {
            if (instance.Resource.Annotations.OfType<HealthCheckAnnotation>().FirstOrDefault() is { } check)
            {
                return await check.Check(cancellationToken);
            }
            if (instance.Resource.HealthPath is { } path && instance.Url is { } url)
            {
                return (await Http.GetAsync(new Uri(url, path), cancellationToken)).IsSuccessStatusCode;
            }
            return instance.Process is { HasExited: false };
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A probe that times out (a hung process) is an unhealthy answer; it must not end the instance's monitoring.
            return false;
        }
    }
}
