using System.Diagnostics;

namespace Mesh.Engine.Telemetry;

/// <summary>The engine's spans: <c>engine.queue</c>, <c>engine.prefill</c> and <c>engine.decode</c>, children of the request's span.</summary>
public static class EngineActivitySource
{
    public const string Name = "Mesh.Engine";

    public static readonly ActivitySource Instance = new(Name);
}
