namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>Adds up lines whose points fall at different moments (one per series or per replica) into one line on a fixed grid.</summary>
internal static class ChartAggregation
{
    /// <summary>Each line is first averaged within each <paramref name="bucket"/>, then the lines are summed bucket by bucket.</summary>
    public static IReadOnlyList<ChartPoint> Sum(IEnumerable<IReadOnlyList<ChartPoint>> lines, TimeSpan bucket)
    {
        var totals = new SortedDictionary<long, double>();
        foreach (var line in lines)
        {
            foreach (var group in line.GroupBy(point => point.Time.UtcTicks / bucket.Ticks))
            {
                totals[group.Key] = totals.GetValueOrDefault(group.Key) + group.Average(point => point.Value);
            }
        }
        return [.. totals.Select(total => new ChartPoint(new DateTimeOffset(total.Key * bucket.Ticks, TimeSpan.Zero) + bucket, total.Value))];
    }
}
