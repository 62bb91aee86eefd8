using System.Text;

namespace Mesh.Hosting.Testing;

public static class DistributedApplicationTestingExtensions
{
    /// <summary>A client for a resource's HTTP endpoint (its first replica).</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resource) =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = app.GetEndpoint(resource), Timeout = TimeSpan.FromSeconds(60) };

    public static Task<string?> GetConnectionStringAsync(this DistributedApplication app, string name) =>
        Task.FromResult(app.GetConnectionString(name));

    /// <summary>Waits until every available resource is healthy; on timeout the message carries every resource's console.</summary>
    public static async Task WaitForAllHealthyAsync(this DistributedApplication app, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            foreach (var resource in app.Resources.Where(r => r.IsAvailable))
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, cancellation.Token);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Not every resource was healthy within {timeout}.\n{app.DescribeResources()}");
        }
    }

    /// <summary>Each instance's state and the tail of its console, for failure messages.</summary>
    public static string DescribeResources(this DistributedApplication app, int lines = 30)
    {
        var text = new StringBuilder();
        foreach (var instance in app.Instances)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"--- {instance.Name}: {instance.State} (restarts {instance.Restarts}, exit {instance.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"})");
            text.AppendLine(instance.Logs.Tail(lines));
        }
        return text.ToString();
    }
}
