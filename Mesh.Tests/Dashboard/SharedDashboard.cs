namespace Mesh.Tests.Dashboard;

/// <summary>The OTLP receiver and access tests share one dashboard and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedDashboard : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
