using Mesh.Dashboard.Storage.Metrics;

namespace Mesh.Dashboard.Api;

// The JSON query API's wire types: ids as hex, durations in milliseconds, attributes as objects.

internal sealed record ApiResource(
    string Name, string ServiceName, string InstanceId, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, Dictionary<string, string> Attributes);

internal sealed record ApiTraceSummary(
    string TraceId, string Name, string RootResource, bool HasRoot, DateTimeOffset Start, double DurationMs, int SpanCount, int ErrorCount, string[] Resources);

internal sealed record ApiSpanEvent(string Name, DateTimeOffset Time, Dictionary<string, string> Attributes);

internal sealed record ApiSpanLink(string TraceId, string SpanId, Dictionary<string, string> Attributes);

internal sealed record ApiSpan(
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Resource,
    string Scope,
    DateTimeOffset Start,
    DateTimeOffset End,
    double DurationMs,
    string Status,
    string? StatusMessage,
    int Depth,
    Dictionary<string, string> Attributes,
    ApiSpanEvent[] Events,
    ApiSpanLink[] Links);

internal sealed record ApiTrace(ApiTraceSummary Summary, ApiSpan[] Spans);

internal sealed record ApiLogRecord(
    long Sequence,
    DateTimeOffset Timestamp,
    string Severity,
    string? SeverityText,
    string Message,
    string Resource,
    string Scope,
    string? EventName,
    string? TraceId,
    string? SpanId,
    Dictionary<string, string> Attributes);

internal sealed record ApiLogPage(ApiLogRecord[] Records, bool Truncated, int StoredCount, long LastSequence);

internal sealed record ApiMetricPoint(
    DateTimeOffset? Start, DateTimeOffset Time, double Value, ulong? Count, double? Sum, double? Min, double? Max, double[]? Bounds, ulong[]? BucketCounts);

internal sealed record ApiMetricSeries(Dictionary<string, string> Attributes, ApiMetricPoint[] Points);

internal sealed record ApiInstrumentData(
    MetricInstrumentSummary Instrument, Dictionary<string, IReadOnlyList<string>> Dimensions, ApiMetricSeries[] Series);

internal sealed record ApiResourceServiceState(
    bool Configured, string? Url, DateTimeOffset? UpdatedAt, string? Error, Mesh.Contracts.Resources.ResourceSnapshot[] Resources);
