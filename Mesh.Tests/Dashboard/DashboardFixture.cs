namespace Mesh.Tests.Dashboard;

/// <summary>One secured dashboard shared by the tests of a class (they run one after another, so they can compare its statistics).</summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public TestDashboard Dashboard { get; private set; } = default!;

    public HttpClient Api { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Dashboard = await TestDashboard.StartAsync();
        Api = await Dashboard.CreateLoggedInClientAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
        }
    }
}
