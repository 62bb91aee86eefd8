namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>
/// Percentile lines of histogram series over time: the values recorded between consecutive points of every series
/// are pooled into time buckets, so p50/p90/p99 describe everything recorded in each bucket across the series.
/// </summary>
internal static class HistogramTimeline
{
    public static IReadOnlyList<ChartSeries> Percentiles(
        IEnumerable<MetricPoint[]> series, MetricTemporality temporality, TimeSpan bucket, IReadOnlyList<double> quantiles)
    {
        var pooled = new SortedDictionary<long, MetricDistribution>();
        foreach (var points in series)
        {
            for (var i = 1; i < points.Length; i++)
            {
                // A lookback shorter than any export interval makes the window exactly "since the previous point".
                var interval = MetricMath.WindowDistribution(points, i, temporality, TimeSpan.FromTicks(1));
                if (interval is not { Count: > 0 })
                {
                    continue;
                }
                var key = points[i].Time.UtcTicks / bucket.Ticks;
                pooled[key] = pooled.TryGetValue(key, out var existing) ? MetricMath.Merge(existing, interval) : interval;
            }
        }
        return [.. quantiles.Select(quantile => new ChartSeries(
            $"p{quantile * 100:0.#}",
            [.. pooled
                .Select(entry => (Time: new DateTimeOffset((entry.Key + 1) * bucket.Ticks, TimeSpan.Zero), Value: MetricMath.Percentile(entry.Value, quantile)))
                .Where(entry => entry.Value is not null)
                .Select(entry => new ChartPoint(entry.Time, entry.Value!.Value))]))];
    }
}
