using System.Text.Json.Nodes;
using Mesh.AppHost;
using Mesh.Contracts.Security;
using Aspire.Hosting.Testing;
using Mesh.Testing;

namespace Mesh.Bench.Coordinator;

/// <summary>The mesh under measurement: the AppHost itself with simulated engines, started in-process by Aspire's testing builder.</summary>
public sealed class BenchMesh : IAsyncDisposable
{
    private readonly string _secret;

    private BenchMesh(RunningApp app, IReadOnlyList<HttpClient> coordinators, string secret)
    {
        App = app;
        Coordinators = coordinators;
        _secret = secret;
    }

    public RunningApp App { get; }

    /// <summary>One client per coordinator replica.</summary>
    public IReadOnlyList<HttpClient> Coordinators { get; }

    public HttpClient Coordinator => Coordinators[0];

    public IReadOnlyList<Uri> EngineUrls => [.. App.Replicas("engine").Select(r => r.Url!)];

    /// <summary>A client for calling the engines directly: it carries the engine API key derived from the run's mesh secret.</summary>
    public HttpClient CreateEngineClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 }) { Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", MeshSecret.EngineApiKey(_secret));
        return client;
    }

    public static async Task<BenchMesh> StartAsync(int engines, params string[] extra) => await StartAsync(engines, 1, extra);

    public static async Task<BenchMesh> StartAsync(int engines, int coordinators, params string[] extra)
    {
        Console.WriteLine($"  Starting redis, {engines} engines and {coordinators} coordinator(s)...");
        RunningApp.Patience = TimeSpan.FromSeconds(180);
        var app = await RunningApp.StartAsync(await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(
        [
            "--Mesh:Engines:Simulated=true", "--Mesh:Engines:Model=small", $"--Mesh:Engines:Replicas={engines}",
            "--Mesh:Engines:HeartbeatInterval=00:00:00.250", "--Mesh:Cloud:Enabled=false",
            "--Mesh:Coordinator:Port=0", $"--Mesh:Coordinator:Replicas={coordinators}", "--Mesh:Workflow:Enabled=false", .. extra,
        ]));
        // Each coordinator replica on its own socket, not through the endpoint's balancing proxy: the measurement says which one served.
        var clients = app.Replicas("coordinator").Select(replica => new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = replica.Url,
            Timeout = TimeSpan.FromSeconds(300),
        }).ToList();
        var mesh = new BenchMesh(app, clients, await app.ParameterAsync(MeshAppModel.SecretParameter));
        await mesh.WaitForEnginesAsync(engines, _ => true);
        return mesh;
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path) =>
        JsonNode.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative)))!.AsObject();

    /// <summary>The engines every coordinator routes to, with their epochs.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> RoutableEnginesAsync(HttpClient coordinator)
    {
        var state = await GetAsync(coordinator, "/v1/mesh/engines");
        return state["engines"]!.AsArray()
            .Where(e => (bool)e!["routable"]! && !(bool)e["static"]!)
            .ToDictionary(e => (string)e!["id"]!, e => (long)e!["epoch"]!);
    }

    /// <summary>Waits until every coordinator routes to <paramref name="count"/> engines whose epochs pass <paramref name="accept"/>.</summary>
    public async Task WaitForEnginesAsync(int count, Func<IReadOnlyDictionary<string, long>, bool> accept)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var coordinator in Coordinators)
        {
            while (true)
            {
                var engines = await RoutableEnginesAsync(coordinator);
                if (engines.Count >= count && accept(engines))
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"A coordinator routes to {engines.Count} engines, not {count}.");
                }
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Empties every engine's KV cache under a new epoch, and waits until every coordinator has dropped their prefix metadata.</summary>
    public async Task ResetCachesAsync()
    {
        var before = await RoutableEnginesAsync(Coordinator);
        using var client = CreateEngineClient();
        foreach (var url in EngineUrls)
        {
            using var response = await client.PostAsync(new Uri(url, "/v1/engine/cache/reset"), null);
            response.EnsureSuccessStatusCode();
        }
        await WaitForEnginesAsync(before.Count, engines => engines.All(e => !before.TryGetValue(e.Key, out var old) || e.Value != old));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in Coordinators)
        {
            client.Dispose();
        }
        await App.DisposeAsync();
    }
}
