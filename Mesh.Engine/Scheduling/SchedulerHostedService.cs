using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Engine.Scheduling;

/// <summary>Starts the scheduler thread with the host and stops it on shutdown; the engine is healthy once it runs.</summary>
public sealed class SchedulerHostedService(EngineScheduler scheduler) : IHostedService, IHealthCheck
{
    private volatile bool _running;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        scheduler.Start();
        _running = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _running = false;
        scheduler.Stop();
        return Task.CompletedTask;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_running ? HealthCheckResult.Healthy("Scheduler running.") : HealthCheckResult.Unhealthy("Scheduler not running."));
}
