using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace Mesh.Aspire.Hosting.Operations;

/// <summary>
/// Where each replica of a resource listens: DCP gives every replica its own port (its <c>ASPNETCORE_URLS</c>) behind
/// the resource's one proxied endpoint, and an operation on a replica (or on every replica) must reach that process.
/// Learned from the resource notifications, which name every replica and carry its environment.
/// </summary>
internal sealed class ReplicaAddresses(ResourceNotificationService notifications, IHostApplicationLifetime lifetime) : WhileRunningSubscriber(lifetime)
{
    private readonly ConcurrentDictionary<string, (IResource Resource, Uri? Url)> _replicas = new(StringComparer.Ordinal);

    protected override async Task RunAsync(CancellationToken stopping)
    {
        await foreach (var update in notifications.WatchAsync(stopping))
        {
            if (update.Resource is ProjectResource)
            {
                var running = update.Snapshot.State?.Text == KnownResourceStates.Running;
                var url = update.Snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value?.Split(';')[0];
                _replicas[update.ResourceId] = (update.Resource,
                    running && url is { Length: > 0 } ? new Uri(url.Replace("://localhost:", "://127.0.0.1:", StringComparison.Ordinal)) : null);
            }
        }
    }

    /// <summary>The address of a running replica; null while it is not running.</summary>
    public Uri? Of(string replicaId) => _replicas.TryGetValue(replicaId, out var replica) ? replica.Url : null;

    /// <summary>Every replica of a resource that Aspire has named so far.</summary>
    public IReadOnlyList<string> ReplicasOf(IResource resource) =>
        [.. _replicas.Where(r => r.Value.Resource == resource).Select(r => r.Key).Order(StringComparer.Ordinal)];

    /// <summary>The running replicas of a resource, with their addresses.</summary>
    public IReadOnlyList<(string Replica, Uri Url)> Of(IResource resource) =>
        [.. _replicas.Where(r => r.Value.Resource == resource && r.Value.Url is not null).Select(r => (r.Key, r.Value.Url!))];
}
