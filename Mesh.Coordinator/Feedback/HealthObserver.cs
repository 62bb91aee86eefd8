using Mesh.Coordinator.Forwarding;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Feedback;

/// <summary>
/// An engine's health as its attempts show it: a finished generation closes its circuit, a failure counts against it
/// and is counted as unreachable. A full queue (429) is no failure, and neither is a request the engine refused as
/// invalid: that is the client's mistake, which never counts against an engine.
/// </summary>
internal sealed class HealthObserver(CoordinatorMetrics metrics) : IAttemptObserver
{
    public void OnFinished(Attempt attempt, TimeSpan elapsed) => attempt.Engine.Breaker.RecordSuccess();

    public void OnFailed(Attempt attempt, EngineFailure failure)
    {
        if (failure == EngineFailure.Saturated || (failure == EngineFailure.Refused && !attempt.Replacement))
        {
            return;
        }
        attempt.Engine.Breaker.RecordFailure();
        metrics.EngineUnreachable(attempt.Engine.Id, attempt.Engine.TierName,
            failure == EngineFailure.StreamBroken ? "stream_broken" : failure.ToString().ToLowerInvariant());
    }
}
