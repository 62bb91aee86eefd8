using System.Globalization;
using Mesh.Hosting.Processes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>The AppHost as a person runs it: a process of its own, stopped with SIGTERM (what Ctrl+C amounts to).</summary>
public sealed class AppHostProcessTests
{
    [Fact]
    public async Task SIGTERM_stops_the_whole_process_tree_and_leaves_no_orphan()
    {
        var logs = new LogBuffer(2000);
        var healthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        logs.LineAdded += line =>
        {
            if (line.Text.StartsWith("All resources are healthy", StringComparison.Ordinal))
            {
                healthy.TrySetResult();
            }
        };
        await using var apphost = ManagedProcess.Start(new ProcessSpec("dotnet",
            [Repository.ProjectDll("Mesh.AppHost"), "--Mesh:Engines:Model=tiny", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Port=0", "--Mesh:Dashboard=true",
                $"--Dashboard:UiPort={Hosting.Networking.PortAllocator.Next()}", $"--Dashboard:OtlpGrpcPort={Hosting.Networking.PortAllocator.Next()}",
                $"--Dashboard:OtlpHttpPort={Hosting.Networking.PortAllocator.Next()}"],
            new Dictionary<string, string>(), Repository.Root), logs, TimeProvider.System);
        await Task.WhenAny(healthy.Task, apphost.Exited, Task.Delay(TimeSpan.FromSeconds(90)));
        Assert.True(healthy.Task.IsCompleted, $"The AppHost did not report healthy resources:\n{logs.Tail(60)}");
        var tree = Descendants(apphost.ProcessId);
        Assert.True(tree.Count >= 6, $"expected redis, two engines, the cloud engine, the coordinator and the dashboard; found {tree.Count}");

        Assert.True(PosixSignals.Send(apphost.ProcessId, PosixSignals.SigTerm));
        var exited = await Task.WhenAny(apphost.Exited, Task.Delay(TimeSpan.FromSeconds(30))) == apphost.Exited;

        Assert.True(exited, $"The AppHost did not exit after SIGTERM:\n{logs.Tail(40)}");
        var orphans = tree.Where(pid => Directory.Exists($"/proc/{pid}")).ToList();
        Assert.True(orphans.Count == 0, $"still running after the AppHost exited: {string.Join(", ", orphans)}");
        Assert.Contains(logs.Snapshot(), line => line.Text.Contains("Stopping", StringComparison.Ordinal));
    }

    /// <summary>Every process below <paramref name="root"/>, from the parent ids in /proc.</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }
        }
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }
}
