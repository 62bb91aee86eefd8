using System.Globalization;

namespace Mesh.Tests.Infrastructure;

/// <summary>A parsed <c>/metrics</c> scrape: series by name and labels.</summary>
public sealed class PrometheusScrape
{
    private readonly List<(string Name, string Labels, double Value)> _series = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var labels = brace >= 0 ? line[(brace + 1)..line.LastIndexOf('}')] : string.Empty;
            var valueText = line[(space + 1)..];
            if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                _series.Add((name, labels, value));
            }
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient client) =>
        new(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    public bool Has(string name) => _series.Any(s => s.Name == name);

    /// <summary>The sum over the series of <paramref name="name"/> whose labels contain every given <c>key="value"</c>.</summary>
    public double Sum(string name, params string[] labelFilters) =>
        _series.Where(s => s.Name == name && labelFilters.All(f => s.Labels.Contains(f, StringComparison.Ordinal))).Sum(s => s.Value);
}
