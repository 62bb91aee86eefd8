namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Asks the mesh's <see cref="Mesh.Aspire.Hosting.Lifecycle.RestartExitedReplicas"/> to start a replica of this resource
/// again when it exits on its own (a crash, a kill: any exit but a clean one that was asked for), after a backoff that
/// doubles with each restart in a row. A replica stopped from the dashboard or by the AppHost's shutdown stays stopped.
/// </summary>
public sealed class RestartOnExitAnnotation(TimeSpan firstDelay, TimeSpan maxDelay) : IResourceAnnotation
{
    public TimeSpan FirstDelay { get; } = firstDelay;

    public TimeSpan MaxDelay { get; } = maxDelay;

    /// <summary>The delay before restart <paramref name="attempt"/> (1 for the first in a row).</summary>
    public TimeSpan DelayBefore(int attempt) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Min(attempt - 1, 16)));
}
