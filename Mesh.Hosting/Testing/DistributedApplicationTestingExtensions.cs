using System.Text;
using Mesh.Hosting.Orchestration;

namespace Mesh.Hosting.Testing;

public static class DistributedApplicationTestingExtensions
{
    /// <summary>A client for a resource's HTTP endpoint (its first replica).</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resource) =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = app.GetEndpoint(resource), Timeout = TimeSpan.FromSeconds(60) };

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

    /// <summary>
    /// Waits until the instances of a resource (or the one instance of that name) satisfy <paramref name="condition"/>,
    /// as Aspire's <c>WaitForResourceAsync</c> does; on timeout the message carries every resource's console.
    /// </summary>
    public static async Task<IReadOnlyList<ResourceInstance>> WaitForResourceAsync(
        this DistributedApplication app, string name, Func<IReadOnlyList<ResourceInstance>, bool> condition, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await app.ResourceNotifications.WaitForAsync(name, condition, cancellation.Token);
            return app.ResourceNotifications.Find(name);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"'{name}' did not reach the expected state within {timeout}.\n{app.DescribeResources()}");
        }
    }

    /// <summary>Waits until the instance (or every replica) named is in <paramref name="state"/>.</summary>
    public static Task<IReadOnlyList<ResourceInstance>> WaitForResourceAsync(this DistributedApplication app, string name, ResourceState state, TimeSpan timeout) =>
        app.WaitForResourceAsync(name, instances => instances.All(i => i.State == state), timeout);

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
