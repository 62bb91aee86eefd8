using System.Text.Json.Nodes;
using Mesh.AppHost;
using Mesh.Hosting;
using Mesh.Hosting.Testing;

namespace Mesh.Bench.Coordinator;

/// <summary>The mesh under measurement: the AppHost's own app model with simulated engines, started in-process by the testing builder.</summary>
public sealed class BenchMesh : IAsyncDisposable
{
    private BenchMesh(DistributedApplication app, HttpClient coordinator)
    {
        App = app;
        Coordinator = coordinator;
    }

    public DistributedApplication App { get; }

    public HttpClient Coordinator { get; }

    public IReadOnlyList<Uri> EngineUrls => [.. App.Instances.Where(i => i.Resource.Name == "engine").Select(i => i.Url!)];

    public static async Task<BenchMesh> StartAsync(int engines, params string[] extra)
    {
        Console.WriteLine($"  Starting redis, {engines} simulated engines and the coordinator...");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(MeshAppModel.Define,
        [
            "--Mesh:Engines:Simulated=true", "--Mesh:Engines:Model=small", $"--Mesh:Engines:Replicas={engines}",
            "--Mesh:Engines:HeartbeatInterval=00:00:00.250", "--Mesh:Cloud:Enabled=false", "--Mesh:Dashboard=false",
            "--Mesh:Coordinator:Port=0", .. extra,
        ]);
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(TimeSpan.FromSeconds(120));
        var coordinator = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = app.GetEndpoint("coordinator"),
            Timeout = TimeSpan.FromSeconds(120),
        };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((int)(await GetAsync(coordinator, "/v1/mesh/engines"))["active_engines"]! < engines && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return new BenchMesh(app, coordinator);
    }

    public static async Task<JsonObject> GetAsync(HttpClient client, string path) =>
        JsonNode.Parse(await client.GetStringAsync(new Uri(path, UriKind.Relative)))!.AsObject();

    /// <summary>Empties every engine's KV cache under a new epoch, which also drops their prefix metadata.</summary>
    public async Task ResetCachesAsync()
    {
        using var client = new HttpClient();
        foreach (var url in EngineUrls)
        {
            using var response = await client.PostAsync(new Uri(url, "/v1/engine/cache/reset"), null);
            response.EnsureSuccessStatusCode();
        }
        await Task.Delay(1000); // the registry sees the new epochs
    }

    public async ValueTask DisposeAsync()
    {
        Coordinator.Dispose();
        await App.DisposeAsync();
    }
}
