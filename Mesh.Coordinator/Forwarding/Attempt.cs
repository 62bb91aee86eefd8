using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;
using Mesh.Coordinator.Validation;

namespace Mesh.Coordinator.Forwarding;

/// <summary>One try of one request on one candidate engine, as the failover loop hands it to the observers.</summary>
/// <param name="Continuing">It continues a stream from tokens already sent by another engine.</param>
/// <param name="Replacement">Another engine already streamed for this request: this one is not the router's choice.</param>
/// <param name="StartedAt">When it was sent (a <see cref="TimeProvider"/> timestamp).</param>
internal sealed record Attempt(CompletionContext Request, RequestTrace Trace, Candidate Candidate, bool Continuing, bool Replacement, long StartedAt)
{
    public EngineEntry Engine => Candidate.Engine;
}
