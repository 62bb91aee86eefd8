using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// Sends one request to one engine and classifies how it went, nothing more: which engine to try, what a failure means
/// for its health and what to do next belong to the router, the feedback observers and the failover loop.
/// </summary>
internal interface IEngineForwarder
{
    Task<ForwardOutcome> SendAsync(EngineEntry engine, string path, byte[] body, TimeSpan firstTokenTimeout, CancellationToken requestAborted);
}
