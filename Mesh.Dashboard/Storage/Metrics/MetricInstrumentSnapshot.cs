namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>A copy of an instrument's series, safe to read outside the store's lock.</summary>
public sealed record MetricInstrumentSnapshot(MetricInstrumentSummary Instrument, IReadOnlyList<MetricSeriesSnapshot> Series)
{
    /// <summary>Every attribute key with the values seen across the series, for dimension filters.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Dimensions() =>
        Series.SelectMany(series => series.Attributes)
            .GroupBy(attribute => attribute.Key, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => (IReadOnlyList<string>)[.. group.Select(attribute => attribute.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                StringComparer.Ordinal);
}
