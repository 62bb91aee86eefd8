using System.Diagnostics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Engine.Telemetry;

/// <summary>The engine's spans: <c>engine.queue</c>, <c>engine.prefill</c> and <c>engine.decode</c>, children of the request's span.</summary>
public static class EngineActivitySource
{
    public static readonly ActivitySource Instance = new(TraceAttributes.EngineSource);
}
