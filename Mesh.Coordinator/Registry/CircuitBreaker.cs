namespace Mesh.Coordinator.Registry;

/// <summary>
/// One engine's breaker: after <c>threshold</c> consecutive failures it opens and the engine leaves routing for
/// the break duration; then one trial request is let through (half-open), whose outcome closes or reopens it.
/// </summary>
public sealed class CircuitBreaker(int threshold, TimeSpan breakDuration, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;
    private bool _trialInFlight;

    public CircuitState State
    {
        get
        {
            lock (_lock)
            {
                if (_consecutiveFailures < threshold)
                {
                    return CircuitState.Closed;
                }
                return time.GetUtcNow() < _openUntil ? CircuitState.Open : CircuitState.HalfOpen;
            }
        }
    }

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>True when a request may go to the engine now (a half-open breaker lets one trial through).</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_consecutiveFailures < threshold)
            {
                return true;
            }
            if (time.GetUtcNow() < _openUntil || _trialInFlight)
            {
                return false;
            }
            _trialInFlight = true;
            return true;
        }
    }

    /// <summary>Whether routing should consider the engine at all (without taking the half-open trial).</summary>
    public bool AllowsRouting => State != CircuitState.Open;

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
            _trialInFlight = false;
        }
    }

    public void RecordFailure()
    {
        lock (_lock)
        {
            _trialInFlight = false;
            if (++_consecutiveFailures >= threshold)
            {
                _openUntil = time.GetUtcNow() + breakDuration;
            }
        }
    }
}

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
