using Mesh.Dashboard.Storage.Logs;
using Mesh.Dashboard.Storage.Metrics;
using Mesh.Dashboard.Storage.Resources;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.Api;

/// <summary>From the store's types to the API's wire types.</summary>
internal static class TelemetryApiMapper
{
    public static ApiResource ToApi(TelemetryResource resource) =>
        new(resource.DisplayName, resource.ServiceName, resource.InstanceId, resource.FirstSeen, resource.LastSeen, ToDictionary(resource.Attributes));

    public static ApiTraceSummary ToApi(TraceSummary summary) => new(
        summary.TraceId.ToString(), summary.Name, summary.RootResource, summary.HasRoot, summary.Start,
        summary.Duration.TotalMilliseconds, summary.SpanCount, summary.ErrorCount, summary.Resources);

    public static ApiTrace ToApi(TraceDetail trace) => new(ToApi(trace.Summary), [.. trace.Spans.Select(row => ToApi(row.Span, row.Depth))]);

    public static ApiSpan ToApi(TelemetrySpan span, int depth) => new(
        span.SpanId.ToString(),
        span.ParentSpanId.IsEmpty ? null : span.ParentSpanId.ToString(),
        span.Name,
        span.Kind.ToString(),
        span.Resource.DisplayName,
        span.Scope,
        span.Start,
        span.End,
        span.Duration.TotalMilliseconds,
        span.Status.ToString(),
        span.StatusMessage,
        depth,
        ToDictionary(span.Attributes),
        [.. span.Events.Select(item => new ApiSpanEvent(item.Name, item.Time, ToDictionary(item.Attributes)))],
        [.. span.Links.Select(link => new ApiSpanLink(link.TraceId.ToString(), link.SpanId.ToString(), ToDictionary(link.Attributes)))]);

    public static ApiLogRecord ToApi(TelemetryLogRecord record) => new(
        record.Sequence,
        record.Timestamp,
        record.Severity.ToString(),
        record.SeverityText,
        record.Message,
        record.Resource.DisplayName,
        record.Scope,
        record.EventName,
        record.TraceId.IsEmpty ? null : record.TraceId.ToString(),
        record.SpanId.IsEmpty ? null : record.SpanId.ToString(),
        ToDictionary(record.Attributes));

    public static ApiInstrumentData ToApi(MetricInstrumentSnapshot snapshot) => new(
        snapshot.Instrument,
        snapshot.Dimensions().ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal),
        [.. snapshot.Series.Select(series => new ApiMetricSeries(ToDictionary(series.Attributes), [.. series.Points.Select(ToApi)]))]);

    private static ApiMetricPoint ToApi(MetricPoint point) => new(
        point.Start == DateTimeOffset.MinValue ? null : point.Start,
        point.Time,
        point.Value,
        point.Distribution?.Count,
        point.Distribution?.Sum,
        point.Distribution?.Min,
        point.Distribution?.Max,
        point.Distribution?.Bounds,
        point.Distribution?.BucketCounts);

    /// <summary>Later duplicates of a key win, as they would in the SDK that sent them.</summary>
    public static Dictionary<string, string> ToDictionary(KeyValuePair<string, string>[] attributes)
    {
        var dictionary = new Dictionary<string, string>(attributes.Length, StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            dictionary[key] = value;
        }
        return dictionary;
    }
}
