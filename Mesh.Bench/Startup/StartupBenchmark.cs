using System.Diagnostics;
using System.Globalization;
using Mesh.Hosting.Processes;

namespace Mesh.Bench.Startup;

/// <summary>
/// Time from <c>dotnet run --project Mesh.AppHost</c> (the README's first command, with a warm build) to every
/// resource healthy, as the AppHost announces it; then a SIGTERM and the time to a clean exit.
/// </summary>
public static class StartupBenchmark
{
    public static async Task<int> RunAsync(int runs, string root)
    {
        Console.WriteLine($"AppHost startup, {runs} runs of `dotnet run --project Mesh.AppHost` from {root} (the first build is not timed).");
        await RunOnceAsync(root, warmUp: true);
        var report = new Report("Time from `dotnet run --project Mesh.AppHost` to all resources healthy (warm build)",
            "run", "to healthy s", "of which the AppHost itself s", "stop s");
        var totals = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var (total, own, stop) = await RunOnceAsync(root, warmUp: false);
            totals.Add(total);
            report.Row(run, total, own, stop);
        }
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"Median {totals.Order().ElementAt(totals.Count / 2):F1} s (target: at most 10 s). 'The AppHost itself' is from its start to healthy, without `dotnet run`'s build check."));
        Console.WriteLine($"Saved {report.Save("apphost-startup")}");
        return 0;
    }

    private static async Task<(double Total, double Own, double Stop)> RunOnceAsync(string root, bool warmUp)
    {
        var logs = new LogBuffer(5000);
        var healthy = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        logs.LineAdded += line =>
        {
            const string marker = "All resources are healthy after ";
            var at = line.Text.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                var seconds = line.Text[(at + marker.Length)..].Split(' ')[0];
                healthy.TrySetResult(double.Parse(seconds, CultureInfo.InvariantCulture));
            }
        };
        var watch = Stopwatch.StartNew();
        await using var process = ManagedProcess.Start(
            new ProcessSpec("dotnet", ["run", "--project", "Mesh.AppHost"], new Dictionary<string, string>(), root), logs, TimeProvider.System);
        var finished = await Task.WhenAny(healthy.Task, process.Exited, Task.Delay(TimeSpan.FromMinutes(warmUp ? 10 : 2)));
        var total = watch.Elapsed.TotalSeconds;
        if (finished != healthy.Task)
        {
            throw new InvalidOperationException($"The AppHost did not become healthy:\n{logs.Tail(40)}");
        }
        var stopWatch = Stopwatch.StartNew();
        await process.StopAsync(TimeSpan.FromSeconds(30));
        if (!warmUp)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  healthy after {total:F1} s"));
        }
        return (total, await healthy.Task, stopWatch.Elapsed.TotalSeconds);
    }
}
