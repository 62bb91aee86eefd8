using Aspire.Hosting.Testing;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>The whole app, started by Aspire's testing builder from the AppHost itself, for a test class or the <see cref="SharedMesh"/> collection.</summary>
public class MeshAppFixture : IAsyncLifetime
{
    private RunningApp? _app;

    /// <summary>Fast settings: the tiny model, quick heartbeats, a free coordinator port; subclasses add their own.</summary>
    protected virtual string[] Arguments =>
    [
        "--Mesh:Engines:Model=tiny",
        "--Mesh:Engines:Replicas=3",
        "--Mesh:Engines:HeartbeatInterval=00:00:00.250",
        "--Mesh:Coordinator:Port=0",
    ];

    /// <summary>Two engines on the tiny model, no cloud tier, no dashboard, and a class's own settings after (later ones win).</summary>
    protected static string[] TwoEngines(params string[] extra) =>
    [
        "--Mesh:Engines:Model=tiny",
        "--Mesh:Engines:Replicas=2",
        "--Mesh:Engines:HeartbeatInterval=00:00:00.250",
        "--Mesh:Coordinator:Port=0",
        "--Mesh:Cloud:Enabled=false",
        .. extra,
    ];

    /// <summary>Runs Aspire's dashboard beside the app (the testing builder leaves it out by default).</summary>
    protected virtual bool EnableDashboard => false;

    public RunningApp App => _app ?? throw new InvalidOperationException("Not started.");

    public HttpClient Coordinator { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await OnStartingAsync();
        // The workflow service only where a test asks for it (later arguments win), and never on its fixed port.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = EnableDashboard },
            ["--Mesh:Workflow:Enabled=false", "--Mesh:Workflow:Port=0", .. Arguments]);
        _app = await RunningApp.StartAsync(builder, ConfigureModel, EnableDashboard);
        Coordinator = _app.Client("coordinator");
        await WaitForRoutableEnginesAsync();
        await OnStartedAsync();
    }

    /// <summary>What a subclass adds to the AppHost's model before it is built.</summary>
    protected virtual void ConfigureModel(global::Aspire.Hosting.IDistributedApplicationBuilder builder)
    {
    }

    /// <summary>What a subclass sets up before the app starts (its arguments are read after this).</summary>
    protected virtual ValueTask OnStartingAsync() => ValueTask.CompletedTask;

    /// <summary>What a subclass sets up once the app is serving.</summary>
    protected virtual ValueTask OnStartedAsync() => ValueTask.CompletedTask;

    protected virtual ValueTask OnDisposingAsync() => ValueTask.CompletedTask;

    /// <summary>Healthy processes are not yet routable until the coordinator has seen their heartbeats.</summary>
    private async Task WaitForRoutableEnginesAsync()
    {
        var expected = App.Replicas("engine").Count + App.Replicas("cloud").Count;
        await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(Coordinator, "/v1/mesh/engines"),
            state => (int)state["active_engines"]! >= expected,
            state => $"the coordinator routes to {state["active_engines"]} engines, not {expected}.\n{App.DescribeAsync().GetAwaiter().GetResult()}");
    }

    /// <summary>Runs a test body; if it fails, the failure carries every resource's console.</summary>
    public async Task WithLogsOnFailureAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex) when (!TestContext.Current.CancellationToken.IsCancellationRequested) // a client's timeout too, not the run being stopped
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n\nRecent routing decisions:\n{await RecentDecisionsAsync()}\n\nResource consoles:\n{await App.DescribeAsync()}", ex);
        }
    }

    private async Task<string> RecentDecisionsAsync()
    {
        try
        {
            var recent = System.Text.Json.Nodes.JsonNode.Parse(await Coordinator.GetStringAsync(new Uri("/v1/mesh/requests?limit=8", UriKind.Relative)))!.AsArray();
            return string.Join("\n", recent.Select(r => $"{r!["request_id"]} {r["outcome"]}: " +
                string.Join(" | ", r["stages"]!.AsArray().Where(s => (string?)s!["stage"] is "router.backend_selection" or "inference.start").Select(s => (string?)s!["detail"]))));
        }
        catch (HttpRequestException ex)
        {
            return $"(unavailable: {ex.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await OnDisposingAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
