namespace Mesh.Tests.Dashboard;

/// <summary>A dashboard that reads a (fake) resource service, for the mesh page and the browser tests.</summary>
public sealed class MeshDashboardFixture : IAsyncLifetime
{
    public FakeResourceService ResourceService { get; private set; } = default!;

    public DashboardProcess Dashboard { get; private set; } = default!;

    public HttpClient Api { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        ResourceService = new FakeResourceService("resource-key-" + Guid.NewGuid().ToString("N"));
        Dashboard = await DashboardProcess.StartAsync(extraEnvironment: new Dictionary<string, string>
        {
            ["DASHBOARD__RESOURCESERVICECLIENT__URL"] = ResourceService.Url.ToString(),
            ["DASHBOARD__RESOURCESERVICECLIENT__APIKEY"] = ResourceService.ApiKey,
        });
        Api = await Dashboard.CreateLoggedInClientAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
        }
        if (ResourceService is not null)
        {
            await ResourceService.DisposeAsync();
        }
    }
}
