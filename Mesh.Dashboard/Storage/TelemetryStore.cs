using Mesh.Dashboard.Storage.Logs;
using Mesh.Dashboard.Storage.Metrics;
using Mesh.Dashboard.Storage.Resources;
using Mesh.Dashboard.Storage.Traces;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Storage;

/// <summary>
/// All telemetry the dashboard holds, in memory and bounded by <see cref="TelemetryLimits"/>. Thread-safe: the OTLP
/// receivers add from many requests at once while pages and the API query. <see cref="Version"/> moves on every
/// change, so a live page re-renders only when there is something new.
/// </summary>
internal sealed class TelemetryStore
{
    private long _version;
    private long _acceptedSpans;
    private long _acceptedLogs;
    private long _acceptedPoints;
    private long _rejectedItems;

    public TelemetryStore(IOptions<TelemetryLimits> limits, TimeProvider time)
    {
        Limits = limits.Value;
        Time = time;
        Resources = new ResourceRegistry(Limits, time);
        Traces = new TraceRepository(Limits);
        Logs = new LogRepository(Limits);
        Metrics = new MetricRepository(Limits);
    }

    public TelemetryLimits Limits { get; }

    public TimeProvider Time { get; }

    public ResourceRegistry Resources { get; }

    public TraceRepository Traces { get; }

    public LogRepository Logs { get; }

    public MetricRepository Metrics { get; }

    public long Version => Interlocked.Read(ref _version);

    public void AddSpans(IReadOnlyList<TelemetrySpan> spans)
    {
        if (spans.Count == 0)
        {
            return;
        }
        var kept = Traces.Add(spans);
        Interlocked.Add(ref _acceptedSpans, kept);
        Interlocked.Increment(ref _version);
    }

    public void AddLogs(IReadOnlyList<TelemetryLogRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }
        Logs.Add(records);
        Interlocked.Add(ref _acceptedLogs, records.Count);
        Interlocked.Increment(ref _version);
    }

    public void AddMetrics(IReadOnlyList<MetricPointBatch> batches)
    {
        if (batches.Count == 0)
        {
            return;
        }
        var kept = Metrics.Add(batches);
        Interlocked.Add(ref _acceptedPoints, kept);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Counts items an exporter sent that could not be stored (invalid ids, missing names).</summary>
    public void Rejected(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _rejectedItems, count);
        }
    }

    public void Clear()
    {
        Traces.Clear();
        Logs.Clear();
        Metrics.Clear();
        Resources.Clear();
        Interlocked.Increment(ref _version);
    }

    public TelemetryStoreStatistics Statistics() => new(
        Resources.Count,
        Traces.TraceCount,
        Traces.SpanCount,
        Logs.Count,
        Metrics.InstrumentCount,
        Metrics.SeriesCount,
        Interlocked.Read(ref _acceptedSpans),
        Interlocked.Read(ref _acceptedLogs),
        Interlocked.Read(ref _acceptedPoints),
        Interlocked.Read(ref _rejectedItems) + Traces.DroppedSpanCount,
        Version);
}
