using System.Diagnostics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Coordinator.Telemetry;

/// <summary>The coordinator's spans: <c>mesh.request</c> and the seven stage spans under it.</summary>
internal static class CoordinatorActivitySource
{
    public static readonly ActivitySource Instance = new(TraceAttributes.CoordinatorSource);
}
