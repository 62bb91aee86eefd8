using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Mesh.Bench.Startup;

/// <summary>
/// Time from <c>dotnet run --project Mesh.AppHost</c> (the README's first command, with a warm build) to a ready mesh
/// (every engine routable, as the AppHost announces it), then from SIGTERM (what Ctrl+C amounts to) to no process of
/// the app left, DCP's included.
/// </summary>
public static class StartupBenchmark
{
    private const string ReadyMarker = "The mesh is ready after ";

    public static async Task<int> RunAsync(int runs, string root)
    {
        Console.WriteLine($"AppHost start-up, {runs} runs of `dotnet run --project Mesh.AppHost` from {root} (the first build is not timed).");
        await RunOnceAsync(root, warmUp: true);
        var report = new Report("Time from `dotnet run --project Mesh.AppHost` to a ready mesh (warm build)",
            "run", "to ready s", "of which the AppHost itself s", "SIGTERM to no process s", "processes");
        var totals = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var (total, own, stop, processes) = await RunOnceAsync(root, warmUp: false);
            totals.Add(total);
            report.Row(run, total, own, stop, processes);
        }
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Median {totals.Order().ElementAt(totals.Count / 2):F1} s. 'The AppHost itself' is from its own start to ready, without `dotnet run`'s build check."));
        Console.WriteLine($"Saved {report.Save("apphost-startup")}");
        return 0;
    }

    private static async Task<(double Total, double Own, double Stop, int Processes)> RunOnceAsync(string root, bool warmUp)
    {
        var lines = new ConcurrentQueue<string>();
        var ready = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["run", "--project", "Mesh.AppHost"])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line)
            {
                return;
            }
            lines.Enqueue(line);
            if (line.StartsWith(ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult(double.Parse(line[ReadyMarker.Length..].Split(' ')[0], CultureInfo.InvariantCulture));
            }
        }
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(warmUp ? 10 : 2)));
        var total = watch.Elapsed.TotalSeconds;
        if (finished != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The mesh did not become ready:\n{string.Join('\n', lines.TakeLast(40))}");
        }
        var tree = ProcessTree.OfAppHost(process.Id);
        var stopWatch = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        while (tree.Any(ProcessTree.IsAlive) || !process.HasExited)
        {
            if (stopWatch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Still running 60 s after SIGTERM: {string.Join(", ", tree.Where(ProcessTree.IsAlive))}");
            }
            await Task.Delay(20);
        }
        if (!warmUp)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ready after {total:F1} s, stopped in {stopWatch.Elapsed.TotalSeconds:F1} s"));
        }
        return (total, await ready.Task, stopWatch.Elapsed.TotalSeconds, tree.Count);
    }
}
