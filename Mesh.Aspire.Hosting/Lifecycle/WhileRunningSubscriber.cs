using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace Mesh.Aspire.Hosting.Lifecycle;

/// <summary>
/// A subscriber that does its work in the background of a run, from the moment the resources exist until the app stops
/// (watching resource notifications, polling the mesh). Publishing runs nothing.
/// </summary>
internal abstract class WhileRunningSubscriber(IHostApplicationLifetime lifetime) : IDistributedApplicationEventingSubscriber
{
    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsRunMode)
        {
            eventing.Subscribe<AfterResourcesCreatedEvent>((_, _) =>
            {
                _ = Task.Run(RunUntilStoppedAsync, CancellationToken.None);
                return Task.CompletedTask;
            });
        }
        return Task.CompletedTask;
    }

    private async Task RunUntilStoppedAsync()
    {
        var stopping = lifetime.ApplicationStopping;
        try
        {
            await RunAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The work, until <paramref name="stopping"/> is cancelled.</summary>
    protected abstract Task RunAsync(CancellationToken stopping);
}
