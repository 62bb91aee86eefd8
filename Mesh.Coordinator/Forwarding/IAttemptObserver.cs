namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// Learns from each attempt without steering it: the engines' health, their learned costs and the prefix index live in
/// the feedback observers, so the failover loop only decides what to try next. Each method is optional.
/// </summary>
internal interface IAttemptObserver
{
    /// <summary>The request is about to leave for the engine.</summary>
    void OnSending(Attempt attempt)
    {
    }

    /// <summary>The send is over, answered or not: its prefill is no longer on its way.</summary>
    void OnSent(Attempt attempt)
    {
    }

    /// <summary>The engine answered with a stream; <paramref name="stream"/> holds what it reported with its first token.</summary>
    ValueTask OnStartedAsync(Attempt attempt, EngineStream stream) => ValueTask.CompletedTask;

    /// <summary>The engine finished the generation.</summary>
    void OnFinished(Attempt attempt, TimeSpan elapsed)
    {
    }

    /// <summary>The attempt failed, before or after it started streaming.</summary>
    void OnFailed(Attempt attempt, EngineFailure failure)
    {
    }
}
