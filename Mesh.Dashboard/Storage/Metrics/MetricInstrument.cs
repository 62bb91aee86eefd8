using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>One instrument of one resource (a meter's counter, gauge or histogram) and its series. Mutated under the repository's lock.</summary>
internal sealed class MetricInstrument(TelemetryResource resource, string scope, string name)
{
    public TelemetryResource Resource { get; } = resource;

    /// <summary>The meter's name.</summary>
    public string Scope { get; } = scope;

    public string Name { get; } = name;

    public string Description { get; set; } = string.Empty;

    public string Unit { get; set; } = string.Empty;

    public MetricInstrumentKind Kind { get; set; }

    public MetricTemporality Temporality { get; set; }

    /// <summary>Keyed by the canonical text of the sorted attributes.</summary>
    public Dictionary<string, MetricSeries> Series { get; } = new(StringComparer.Ordinal);

    public long DroppedSeriesCount { get; set; }

    public DateTimeOffset LastTime { get; set; }

    public MetricInstrumentSummary Summarize() => new(
        Resource.DisplayName, Scope, Name, Description, Unit, Kind, Temporality, Series.Count,
        Series.Values.Sum(series => series.PointCount), LastTime);

    public MetricInstrumentSnapshot Snapshot(DateTimeOffset? from, IReadOnlyDictionary<string, string>? attributeFilter) => new(
        Summarize(),
        [.. Series.Values
            .Where(series => TelemetryAttributes.Include(series.Attributes, attributeFilter))
            .Select(series => new MetricSeriesSnapshot(series.Attributes, series.PointsSince(from)))]);
}
