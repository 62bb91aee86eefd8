namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>One series' attributes and points (oldest first).</summary>
public sealed record MetricSeriesSnapshot(KeyValuePair<string, string>[] Attributes, MetricPoint[] Points)
{
    public string Label => Attributes.Length == 0 ? "(no attributes)" : string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"));

    public string? Attribute(string key) => TelemetryAttributes.Find(Attributes, key);
}
