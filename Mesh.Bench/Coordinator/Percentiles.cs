namespace Mesh.Bench.Coordinator;

public static class Percentiles
{
    /// <summary>The nearest-rank percentile of <paramref name="values"/> (0 when empty).</summary>
    public static double Of(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
