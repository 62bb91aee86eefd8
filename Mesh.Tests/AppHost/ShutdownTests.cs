using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

public sealed class ShutdownTests
{
    [Fact]
    public async Task After_dispose_no_process_of_the_app_remains()
    {
        var app = await RunningApp.StartAsync(await global::Aspire.Hosting.Testing.DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(
            ["--Mesh:Engines:Model=tiny", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0"]));
        var launched = app.Resources.SelectMany(r => app.Replicas(r.Name)).Select(r => r.ProcessId).OfType<int>().ToList();
        // A project runs under `dotnet run`: the service is its child.
        var pids = launched.Concat(launched.SelectMany(ProcessTree.Descendants)).ToArray();
        Assert.True(launched.Count >= 5, $"expected redis, 2 engines, the cloud engine, the coordinator and the workflow; got {launched.Count}");

        await app.DisposeAsync();

        var alive = pids.Where(ProcessTree.IsAlive).ToArray();
        Assert.True(alive.Length == 0, $"still running after dispose: {string.Join(", ", alive)}");
    }
}
