namespace Mesh.Tests.Dashboard;

/// <summary>Tests that send a coordinator's and an engine's telemetry share one dashboard and run one at a time, so each sees its own totals.</summary>
[CollectionDefinition(Name)]
public sealed class MeshTelemetryNames : ICollectionFixture<MeshDashboardFixture>
{
    public const string Name = "Mesh telemetry names";
}
