using Mesh.Hosting.ApplicationModel;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// The orchestrator's dashboard with two replicas of a process that writes a console line every 200 ms, for the mesh page,
/// the resources page and the browser tests. One replica is killed once and restarted by the orchestrator, so the resource
/// service has a restart to report; the replicas carry a connection string with a password, which must never be shown.
/// </summary>
public sealed class MeshDashboardFixture : IAsyncLifetime
{
    public const string Ticker = "ticker";

    public const string Password = "hunter2";

    public TestDashboard Dashboard { get; private set; } = default!;

    public HttpClient Api { get; private set; } = default!;

    /// <summary>The replica that was killed and restarted once.</summary>
    public string RestartedReplica { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Dashboard = await TestDashboard.StartWithResourcesAsync(builder => builder
            .AddExecutable(Ticker, "sh", null, "-c", "i=0; while true; do i=$((i+1)); echo \"info: handled request $i\"; sleep 0.2; done")
            .WithReplicas(2)
            .WithRestartPolicy(RestartPolicy.WithBackoff)
            .WithEnvironment("ConnectionStrings__redis", $"127.0.0.1:6379,password={Password}"));
        RestartedReplica = Dashboard.App.App.Instances.First(i => i.Resource.Name == Ticker).Name;
        await Dashboard.App.KillAsync(RestartedReplica);
        await Dashboard.App.WaitForRestartAsync(RestartedReplica, restartsBefore: 0);
        Api = await Dashboard.CreateLoggedInClientAsync();
    }

    /// <summary>The orchestrator's resource service, as the dashboard was told to reach it.</summary>
    public Uri ResourceServiceUrl =>
        new(Dashboard.App.Instance(TestDashboard.Name).Environment["DASHBOARD__RESOURCESERVICECLIENT__URL"]);

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
        }
    }
}
