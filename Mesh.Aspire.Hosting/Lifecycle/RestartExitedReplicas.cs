using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Aspire.Hosting.Lifecycle;

/// <summary>
/// Aspire does not start a process again when it exits. This subscriber watches the resource notifications of every
/// resource with a <see cref="RestartOnExitAnnotation"/> and, when a replica exits on its own, runs Aspire's own
/// <c>restart</c> command on that replica after the annotation's backoff. A replica that ran for a minute starts its
/// backoff afresh.
/// </summary>
internal sealed partial class RestartExitedReplicas(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<RestartExitedReplicas> logger) : WhileRunningSubscriber(lifetime)
{
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, (int Attempt, DateTimeOffset At)> _restarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _lastState = new(StringComparer.Ordinal);

    protected override async Task RunAsync(CancellationToken stopping)
    {
        await foreach (var update in notifications.WatchAsync(stopping))
        {
            if (!update.Resource.TryGetLastAnnotation<RestartOnExitAnnotation>(out var restart))
            {
                continue;
            }
            var state = update.Snapshot.State?.Text;
            _lastState.TryGetValue(update.ResourceId, out var previous);
            _lastState[update.ResourceId] = state;
            // Exited on its own: it went from running straight to a terminal state, not through Stopping (a stop
            // command, the app's shutdown), and not with success.
            if (state != previous && (state == KnownResourceStates.Exited || state == KnownResourceStates.Finished)
                && previous != KnownResourceStates.Stopping && update.Snapshot.ExitCode != 0 && !stopping.IsCancellationRequested)
            {
                _ = RestartAsync(update.ResourceId, update.Snapshot.ExitCode, restart, stopping);
            }
        }
    }

    private async Task RestartAsync(string replica, int? exitCode, RestartOnExitAnnotation restart, CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        var (attempt, _) = _restarts.AddOrUpdate(replica, (1, now),
            (_, last) => (now - last.At > StableAfter ? 1 : last.Attempt + 1, now));
        var delay = restart.DelayBefore(attempt);
        LogRestarting(replica, exitCode, attempt, delay.TotalMilliseconds);
        try
        {
            await Task.Delay(delay, time, stopping);
            var result = await commands.ExecuteCommandAsync(replica, KnownResourceCommands.RestartCommand, stopping);
            if (!result.Success)
            {
                LogRestartFailed(replica, result.Message ?? "no reason given");
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Replica} exited with code {ExitCode}; restart {Attempt} in {DelayMs} ms.")]
    private partial void LogRestarting(string replica, int? exitCode, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Restarting {Replica} failed: {Reason}")]
    private partial void LogRestartFailed(string replica, string reason);
}
