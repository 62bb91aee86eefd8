using Mesh.Bench.Coordinator;

namespace Mesh.Bench.Routing;

/// <summary>A request's result with when it was sent, in milliseconds from the start of the run.</summary>
public sealed record TimedResult(int Index, double SentAtMs, RequestResult Result)
{
    public double DoneAtMs => SentAtMs + Result.LatencyMs;

    public bool Ok => Result.Error is null;
}
