namespace Mesh.Dashboard.Components.Shared;

/// <summary>Round axis ticks (1, 2 or 5 times a power of ten) that cover a range.</summary>
internal static class ChartScale
{
    public static (double Min, double Max, double[] Ticks) Nice(double min, double max, int targetTicks = 4)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            return (0, 1, [0, 0.5, 1]);
        }
        if (max - min < 1e-12)
        {
            max = min == 0 ? 1 : min + Math.Abs(min) * 0.5;
        }
        var rough = (max - min) / targetTicks;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (rough / power) switch
        {
            <= 1 => power,
            <= 2 => 2 * power,
            <= 5 => 5 * power,
            _ => 10 * power,
        };
        var niceMin = Math.Floor(min / step) * step;
        var niceMax = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (var tick = niceMin; tick <= niceMax + step / 2; tick += step)
        {
            ticks.Add(Math.Round(tick / step) * step);
        }
        return (niceMin, niceMax, [.. ticks]);
    }
}
