using System.Diagnostics;
using Mesh.AppHost;
using Mesh.Hosting.Testing;

namespace Mesh.Tests.AppHost;

public sealed class ShutdownTests
{
    [Fact]
    public async Task After_dispose_no_process_of_the_app_remains()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(MeshAppModel.Define,
            "--Mesh:Engines:Model=tiny", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Port=0", "--Mesh:Dashboard=false", "--Mesh:Workflow:Port=0");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.WaitForAllHealthyAsync(Infrastructure.Eventually.DefaultTimeout);
        var pids = app.Instances.Select(i => i.Process!.ProcessId).ToArray();
        Assert.True(pids.Length >= 5, $"expected redis, 2 engines, the cloud engine, the coordinator and the workflow; got {pids.Length}");

        await app.DisposeAsync();

        var alive = pids.Where(IsAlive).ToArray();
        Assert.True(alive.Length == 0, $"still running after dispose: {string.Join(", ", alive)}");
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
