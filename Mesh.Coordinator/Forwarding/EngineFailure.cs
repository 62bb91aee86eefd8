namespace Mesh.Coordinator.Forwarding;

/// <summary>How a call to an engine failed, as the forwarder classifies it; what follows is the failover loop's and the observers' business.</summary>
internal enum EngineFailure
{
    /// <summary>Could not connect, or the connection broke before an answer.</summary>
    Unreachable,

    /// <summary>No first token within the timeout.</summary>
    TimedOut,

    /// <summary>429: its queue is full.</summary>
    Saturated,

    /// <summary>5xx.</summary>
    ServerError,

    /// <summary>4xx other than 429: the request itself was refused; another engine would refuse it too.</summary>
    Refused,

    /// <summary>The stream broke off (or stalled) after it had started.</summary>
    StreamBroken,
}

/// <summary>How sending a request to an engine ended: a stream to read, or a classified failure with what the engine said.</summary>
internal sealed record ForwardOutcome(EngineStream? Stream, EngineFailure? Failure, string? Detail, int? StatusCode)
{
    public static ForwardOutcome Started(EngineStream stream) => new(stream, null, null, null);

    public static ForwardOutcome Failed(EngineFailure failure, string detail, int? statusCode = null) => new(null, failure, detail, statusCode);
}
