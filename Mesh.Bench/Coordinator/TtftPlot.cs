namespace Mesh.Bench.Coordinator;

/// <summary>The cumulative distribution of time to first token per policy, as a PNG.</summary>
public static class TtftPlot
{
    public static string Save(IReadOnlyDictionary<string, double[]> sortedByPolicy, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var plot = new ScottPlot.Plot();
        foreach (var (policy, sorted) in sortedByPolicy)
        {
            var fractions = Enumerable.Range(1, sorted.Length).Select(i => (double)i / sorted.Length).ToArray();
            var line = plot.Add.ScatterLine(sorted, fractions);
            line.LegendText = policy;
            line.LineWidth = 2;
        }
        plot.Title("Time to first token, shared-prefix workload");
        plot.XLabel("TTFT (ms)");
        plot.YLabel("fraction of requests");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
        return path;
    }
}
