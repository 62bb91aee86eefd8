using System.Globalization;

namespace Mesh.Bench.Routing;

/// <summary>
/// The coordinators' own account of a run, from their Prometheus scrapes before and after: decisions by reason and
/// stale predictions. It says why a policy lost hits, not only that it did.
/// </summary>
public sealed class DecisionCounts
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    public static async Task<DecisionCounts> ScrapeAsync(IEnumerable<HttpClient> coordinators)
    {
        var counts = new DecisionCounts();
        foreach (var coordinator in coordinators)
        {
            var text = await coordinator.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("mesh_routing_decisions_total{", StringComparison.Ordinal) && Label(line, "reason") is { } reason)
                {
                    counts.Add(reason, Value(line));
                }
                else if (line.StartsWith("routing_stale_detected_total{", StringComparison.Ordinal))
                {
                    counts.Add("stale", Value(line));
                }
            }
        }
        return counts;
    }

    public DecisionCounts Since(DecisionCounts before)
    {
        var delta = new DecisionCounts();
        foreach (var (key, value) in _values)
        {
            delta.Add(key, value - before._values.GetValueOrDefault(key));
        }
        return delta;
    }

    public override string ToString() =>
        string.Join(", ", _values.Where(v => v.Value > 0).OrderByDescending(v => v.Value).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key} {v.Value:F0}")));

    private void Add(string key, double value) => _values[key] = _values.GetValueOrDefault(key) + value;

    private static string? Label(string line, string name)
    {
        var start = line.IndexOf(name + "=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }
        start += name.Length + 2;
        return line[start..line.IndexOf('"', start)];
    }

    private static double Value(string line) =>
        double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
}
