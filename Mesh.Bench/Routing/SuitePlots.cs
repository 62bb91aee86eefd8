using ScottPlot;

namespace Mesh.Bench.Routing;

/// <summary>The suite's pictures: hit rate (against the oracle) and TTFT p50 against the rate, per policy; the same per coordinator count; hit rate through an engine restart.</summary>
public static class SuitePlots
{
    public static string AgainstRate(string workload, IReadOnlyList<RunSummary> runs, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var hits = multiplot.GetPlot(0);
        var ttft = multiplot.GetPlot(1);
        foreach (var group in runs.GroupBy(r => (r.Policy, r.Coordinators)).OrderBy(g => g.Key.Policy, StringComparer.Ordinal).ThenBy(g => g.Key.Coordinators))
        {
            var points = group.OrderBy(r => r.Rate).ToArray();
            var label = group.Key.Coordinators == 1 ? group.Key.Policy : $"{group.Key.Policy}, {group.Key.Coordinators} coordinators";
            var rates = points.Select(p => p.Rate).ToArray();
            var hitLine = hits.Add.Scatter(rates, points.Select(p => p.HitRate * 100).ToArray());
            hitLine.LegendText = label;
            var ttftLine = ttft.Add.Scatter(rates, points.Select(p => p.TtftP50).ToArray());
            ttftLine.LegendText = label;
        }
        if (runs.Count > 0)
        {
            var oracle = hits.Add.HorizontalLine(runs[0].OracleHitRate * 100);
            oracle.LinePattern = LinePattern.Dashed;
            oracle.LegendText = "oracle";
        }
        hits.Title($"{workload}: prefix hit rate");
        hits.XLabel("requests per second");
        hits.YLabel("hit rate (%)");
        hits.ShowLegend(Alignment.LowerLeft);
        ttft.Title($"{workload}: TTFT p50");
        ttft.XLabel("requests per second");
        ttft.YLabel("TTFT p50 (ms)");
        ttft.Axes.SetLimitsY(0, Math.Max(100, runs.Count == 0 ? 100 : runs.Max(r => r.TtftP50) * 1.1));
        ttft.ShowLegend(Alignment.UpperLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        multiplot.SavePng(path, 1200, 480);
        return path;
    }

    public static string Timeline(string title, IReadOnlyList<(double Seconds, double HitRate)> buckets, double restartAtSeconds, string path)
    {
        var plot = new Plot();
        var line = plot.Add.Scatter(buckets.Select(b => b.Seconds).ToArray(), buckets.Select(b => b.HitRate * 100).ToArray());
        line.LegendText = "prefix hit rate";
        var restart = plot.Add.VerticalLine(restartAtSeconds);
        restart.LegendText = "engine killed";
        restart.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel("seconds into the run");
        plot.YLabel("hit rate of requests sent in the window (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        plot.SavePng(path, 900, 480);
        return path;
    }
}
