namespace Mesh.Coordinator.Forwarding;

/// <summary>How one attempt ended, for the failover loop to decide what comes next.</summary>
internal enum AttemptResult
{
    /// <summary>The generation finished and the client has its answer.</summary>
    Finished,

    /// <summary>The engine failed; another may serve (or continue) the request.</summary>
    Failed,

    /// <summary>The engine's queue was full; nothing is wrong with it.</summary>
    Busy,

    /// <summary>The engine refused the request itself and the client has that answer.</summary>
    Rejected,

    /// <summary>The stream broke and what was sent cannot be continued elsewhere.</summary>
    CannotContinue,
}
