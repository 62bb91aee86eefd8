using System.Text;
using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>
/// The stored instruments by resource, meter and name. Each series keeps its newest
/// <see cref="TelemetryLimits.MaxMetricPointsPerSeries"/> points; an instrument keeps at most
/// <see cref="TelemetryLimits.MaxSeriesPerInstrument"/> series.
/// </summary>
internal sealed class MetricRepository(TelemetryLimits limits)
{
    private readonly Dictionary<(TelemetryResource Resource, string Scope, string Name), MetricInstrument> _instruments = [];
    private readonly Lock _lock = new();
    private int _seriesCount;

    public int InstrumentCount
    {
        get
        {
            lock (_lock)
            {
                return _instruments.Count;
            }
        }
    }

    public int SeriesCount => Volatile.Read(ref _seriesCount);

    /// <summary>Adds a batch of points; returns how many were kept.</summary>
    public int Add(IReadOnlyList<MetricPointBatch> batches)
    {
        var kept = 0;
        lock (_lock)
        {
            foreach (var batch in batches)
            {
                var key = (batch.Resource, batch.Scope, batch.Name);
                if (!_instruments.TryGetValue(key, out var instrument))
                {
                    _instruments[key] = instrument = new MetricInstrument(batch.Resource, batch.Scope, batch.Name);
                }
                instrument.Description = batch.Description;
                instrument.Unit = batch.Unit;
                instrument.Kind = batch.Kind;
                instrument.Temporality = batch.Temporality;
                foreach (var (attributes, point) in batch.Points)
                {
                    var seriesKey = SeriesKey(attributes);
                    if (!instrument.Series.TryGetValue(seriesKey, out var series))
                    {
                        if (instrument.Series.Count >= limits.MaxSeriesPerInstrument)
                        {
                            instrument.DroppedSeriesCount++;
                            continue;
                        }
                        instrument.Series[seriesKey] = series = new MetricSeries(attributes, limits.MaxMetricPointsPerSeries);
                        _seriesCount++;
                    }
                    if (series.Add(point))
                    {
                        kept++;
                        if (point.Time > instrument.LastTime)
                        {
                            instrument.LastTime = point.Time;
                        }
                    }
                }
            }
        }
        return kept;
    }

    /// <summary>The instruments of one resource (or all when null), sorted by meter and name.</summary>
    public IReadOnlyList<MetricInstrumentSummary> Instruments(string? resource)
    {
        lock (_lock)
        {
            return [.. _instruments.Values
                .Where(instrument => resource is null || string.Equals(instrument.Resource.DisplayName, resource, StringComparison.OrdinalIgnoreCase))
                .Select(instrument => instrument.Summarize())
                .OrderBy(summary => summary.Resource, StringComparer.OrdinalIgnoreCase)
                .ThenBy(summary => summary.Scope, StringComparer.Ordinal)
                .ThenBy(summary => summary.Name, StringComparer.Ordinal)];
        }
    }

    public MetricInstrumentSnapshot? Snapshot(string resource, string name, string? scope = null, DateTimeOffset? from = null,
        IReadOnlyDictionary<string, string>? attributeFilter = null)
    {
        lock (_lock)
        {
            foreach (var instrument in _instruments.Values)
            {
                if (instrument.Name == name
                    && (scope is null || instrument.Scope == scope)
                    && string.Equals(instrument.Resource.DisplayName, resource, StringComparison.OrdinalIgnoreCase))
                {
                    return instrument.Snapshot(from, attributeFilter);
                }
            }
        }
        return null;
    }

    /// <summary>The instrument called <paramref name="name"/> in every resource that has one (an engine gauge across replicas).</summary>
    public IReadOnlyList<MetricInstrumentSnapshot> SnapshotAcrossResources(string name, DateTimeOffset? from = null)
    {
        lock (_lock)
        {
            return [.. _instruments.Values
                .Where(instrument => instrument.Name == name)
                .Select(instrument => instrument.Snapshot(from, null))];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _instruments.Clear();
            _seriesCount = 0;
        }
    }

    private static string SeriesKey(KeyValuePair<string, string>[] sortedAttributes)
    {
        if (sortedAttributes.Length == 0)
        {
            return string.Empty;
        }
        var key = new StringBuilder();
        foreach (var (name, value) in sortedAttributes)
        {
            // Unit and record separators cannot appear in reasonable attribute text, so keys cannot collide.
            key.Append(name).Append('\u001f').Append(value).Append('\u001e');
        }
        return key.ToString();
    }
}
