namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>
/// Turns stored points into what a chart shows: per-second rates of counters and percentiles of histograms, for both
/// cumulative points (each covers everything since its start time) and delta points (each covers one interval).
/// </summary>
internal static class MetricMath
{
    public static readonly double[] StandardPercentiles = [0.50, 0.90, 0.99];

    /// <summary>A counter's (or histogram's count's) per-second rate at each point, from the change since the previous point.</summary>
    public static IReadOnlyList<ChartPoint> Rates(IReadOnlyList<MetricPoint> points, MetricTemporality temporality, bool ofCount = false)
    {
        var rates = new List<ChartPoint>(points.Count);
        for (var i = 1; i < points.Count; i++)
        {
            if (Increase(points[i - 1], points[i], temporality, ofCount) is { } increase && increase.Seconds > 0)
            {
                rates.Add(new ChartPoint(points[i].Time, increase.Amount / increase.Seconds));
            }
        }
        return rates;
    }

    /// <summary>The per-second rate over the last <paramref name="window"/> before the newest point; null without two points in it.</summary>
    public static double? RateOver(IReadOnlyList<MetricPoint> points, MetricTemporality temporality, TimeSpan window, bool ofCount = false) =>
        IncreaseOver(points, temporality, window, ofCount) is { Seconds: > 0 } increase ? increase.Amount / increase.Seconds : null;

    /// <summary>How much a counter grew over the last <paramref name="window"/> before the newest point, and over how many seconds.</summary>
    public static (double Amount, double Seconds)? IncreaseOver(IReadOnlyList<MetricPoint> points, MetricTemporality temporality, TimeSpan window, bool ofCount = false)
    {
        if (points.Count < 2)
        {
            return null;
        }
        var earliest = points[^1].Time - window;
        double amount = 0;
        double seconds = 0;
        for (var i = points.Count - 1; i > 0 && points[i].Time > earliest; i--)
        {
            if (Increase(points[i - 1], points[i], temporality, ofCount) is { } increase)
            {
                amount += increase.Amount;
                seconds += increase.Seconds;
            }
        }
        return seconds > 0 ? (amount, seconds) : null;
    }

    /// <summary>The value of the newest point, or null.</summary>
    public static double? Latest(IReadOnlyList<MetricPoint> points) => points.Count == 0 ? null : points[^1].Value;

    /// <summary>The <paramref name="quantile"/> (0..1) of the values recorded in the <paramref name="lookback"/> before each point.</summary>
    public static IReadOnlyList<ChartPoint> PercentileSeries(IReadOnlyList<MetricPoint> points, MetricTemporality temporality, double quantile, TimeSpan lookback)
    {
        var series = new List<ChartPoint>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            if (WindowDistribution(points, i, temporality, lookback) is { Count: > 0 } window
                && Percentile(window, quantile) is { } value)
            {
                series.Add(new ChartPoint(points[i].Time, value));
            }
        }
        return series;
    }

    /// <summary>The distribution of the values recorded in the <paramref name="lookback"/> before point <paramref name="index"/>.</summary>
    public static MetricDistribution? WindowDistribution(IReadOnlyList<MetricPoint> points, int index, MetricTemporality temporality, TimeSpan lookback)
    {
        var current = points[index];
        if (current.Distribution is not { } distribution)
        {
            return null;
        }
        var earliest = current.Time - lookback;
        if (temporality == MetricTemporality.Delta)
        {
            var merged = distribution;
            for (var j = index - 1; j >= 0 && points[j].Time > earliest; j--)
            {
                merged = points[j].Distribution is { } earlier ? Merge(merged, earlier) : merged;
            }
            return merged;
        }
        var baseline = -1;
        for (var j = index - 1; j >= 0; j--)
        {
            if (points[j].Start != current.Start)
            {
                break;
            }
            baseline = j;
            if (points[j].Time <= earliest)
            {
                break;
            }
        }
        return baseline < 0 || points[baseline].Distribution is not { } older ? distribution : Subtract(distribution, older);
    }

    /// <summary>Interpolates linearly inside the bucket that holds the quantile; null for an empty distribution.</summary>
    public static double? Percentile(MetricDistribution distribution, double quantile)
    {
        if (distribution.Quantiles is { Length: > 0 } quantiles)
        {
            return quantiles.MinBy(q => Math.Abs(q.Quantile - quantile)).Value;
        }
        var total = 0UL;
        foreach (var count in distribution.BucketCounts)
        {
            total += count;
        }
        if (total == 0)
        {
            return null;
        }
        var target = Math.Clamp(quantile, 0, 1) * total;
        var bounds = distribution.Bounds;
        double cumulative = 0;
        for (var i = 0; i < distribution.BucketCounts.Length; i++)
        {
            var count = distribution.BucketCounts[i];
            if (count == 0)
            {
                continue;
            }
            if (cumulative + count >= target)
            {
                var lower = i == 0 ? Math.Min(distribution.Min ?? 0, bounds.Length > 0 ? bounds[0] : 0) : bounds[i - 1];
                var upper = i >= bounds.Length ? distribution.Max ?? (bounds.Length > 0 ? bounds[^1] : lower) : bounds[i];
                if (distribution.Min is { } min && min > lower && min <= upper)
                {
                    lower = min;
                }
                if (distribution.Max is { } max && max < upper && max >= lower)
                {
                    upper = max;
                }
                var fraction = (target - cumulative) / count;
                return lower + (upper - lower) * fraction;
            }
            cumulative += count;
        }
        return distribution.Max ?? (bounds.Length > 0 ? bounds[^1] : null);
    }

    private static (double Amount, double Seconds)? Increase(MetricPoint previous, MetricPoint current, MetricTemporality temporality, bool ofCount)
    {
        var value = ofCount ? current.Distribution?.Count ?? 0 : current.Value;
        if (temporality == MetricTemporality.Delta)
        {
            var span = current.Time - (current.Start > DateTimeOffset.MinValue && current.Start < current.Time ? current.Start : previous.Time);
            return (value, span.TotalSeconds);
        }
        if (current.Start != previous.Start)
        {
            // The process restarted (or the SDK reset): the new point counts from its own start.
            return current.Time > current.Start ? (value, (current.Time - current.Start).TotalSeconds) : null;
        }
        var before = ofCount ? previous.Distribution?.Count ?? 0 : previous.Value;
        return value < before ? null : (value - before, (current.Time - previous.Time).TotalSeconds);
    }

    private static MetricDistribution Subtract(MetricDistribution current, MetricDistribution earlier)
    {
        if (current.BucketCounts.Length != earlier.BucketCounts.Length || current.Count < earlier.Count)
        {
            return current;
        }
        var counts = new ulong[current.BucketCounts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = current.BucketCounts[i] >= earlier.BucketCounts[i] ? current.BucketCounts[i] - earlier.BucketCounts[i] : 0;
        }
        // Min and max describe the whole cumulative range; they still bound the interval's values, which keeps the
        // interpolation inside a wide bucket (seconds in the SDK's default millisecond bounds) honest.
        return new MetricDistribution(current.Count - earlier.Count, current.Sum - earlier.Sum, current.Min, current.Max, current.Bounds, counts);
    }

    /// <summary>Adds two distributions with the same buckets; with different buckets the first is returned unchanged.</summary>
    public static MetricDistribution Merge(MetricDistribution a, MetricDistribution b)
    {
        if (a.BucketCounts.Length != b.BucketCounts.Length || !a.Bounds.AsSpan().SequenceEqual(b.Bounds))
        {
            return a;
        }
        var counts = new ulong[a.BucketCounts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = a.BucketCounts[i] + b.BucketCounts[i];
        }
        return new MetricDistribution(a.Count + b.Count, a.Sum + b.Sum, Lesser(a.Min, b.Min), Greater(a.Max, b.Max), a.Bounds, counts);
    }

    private static double? Lesser(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static double? Greater(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
