using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>The AppHost as a person runs it: a process of its own, under the launch profile's settings, stopped with SIGTERM (what Ctrl+C amounts to).</summary>
public sealed class AppHostProcessTests
{
    /// <summary>The AppHost's <c>http</c> launch profile, on free ports.</summary>
    private static Process Start(params string[] settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        string[] arguments = [Repository.ProjectDll("Mesh.AppHost"), .. DashboardPorts.Arguments(), .. settings];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        // As from a fresh terminal: nothing the test process or Aspire's testing builder set for themselves.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
            || k.StartsWith("ASPIRE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_DASHBOARD", StringComparison.Ordinal)
            || k.StartsWith("DCP_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        return Process.Start(info)!;
    }

    [Fact]
    public async Task SIGTERM_stops_the_whole_process_tree_and_leaves_no_orphan()
    {
        var lines = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var apphost = Start("--Mesh:Engines:Model=tiny", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0");
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line.StartsWith("The mesh is ready after", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }
        }
        apphost.OutputDataReceived += OnLine;
        apphost.ErrorDataReceived += OnLine;
        apphost.BeginOutputReadLine();
        apphost.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(ready.Task, apphost.WaitForExitAsync(), Task.Delay(Eventually.DefaultTimeout));
            Assert.True(ready.Task.IsCompleted, $"The AppHost did not report a ready mesh:\n{string.Join('\n', lines.TakeLast(60))}");
            Assert.Contains(lines, line => line.Contains("/login?t=", StringComparison.Ordinal));
            var tree = ProcessTree.OfAppHost(apphost.Id);
            Assert.True(tree.Count >= 8, $"expected DCP, the dashboard, redis, two engines, the cloud engine and the coordinator; found {tree.Count}");

            Process.Start("kill", ["-TERM", apphost.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            var exit = apphost.WaitForExitAsync();
            var exited = await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(30))) == exit;

            Assert.True(exited, $"The AppHost did not exit after SIGTERM:\n{string.Join('\n', lines.TakeLast(40))}");
            // DCP notices its AppHost is gone and stops the rest on its own, within a few seconds.
            await Eventually.TrueAsync(() => !tree.Any(ProcessTree.IsAlive),
                () => $"still running after the AppHost exited: {string.Join(", ", tree.Where(ProcessTree.IsAlive))}");
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("--Mesh:Redis:Mode=Sideways", "Mesh:Redis:Mode is 'Sideways'")]
    [InlineData("--Mesh:Redis:ConnectionString=127.0.0.1:6379,frobnicate=yes", "Mesh:Redis:ConnectionString is not a Redis connection string")]
    [InlineData("--Mesh:Engines:Model=gpt-9", "Mesh:Engines:Model is 'gpt-9'")]
    public async Task A_bad_setting_stops_the_AppHost_at_start_with_one_line_and_starts_nothing(string setting, string expected)
    {
        using var apphost = Start(setting);
        var error = apphost.StandardError.ReadToEndAsync();
        var output = apphost.StandardOutput.ReadToEndAsync();
        try
        {
            await apphost.WaitForExitAsync().WaitAsync(Eventually.DefaultTimeout);
        }
        finally
        {
            if (!apphost.HasExited)
            {
                apphost.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(1, apphost.ExitCode);
        var lines = (await error).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Length == 1 ? lines[0] : string.Join("\n", lines), lines.Single());
        Assert.StartsWith("Mesh cannot start: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Starting DCP", await output, StringComparison.Ordinal);
    }
}
