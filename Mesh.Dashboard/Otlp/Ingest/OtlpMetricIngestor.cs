using Mesh.Dashboard.Otlp.Protos.Collector.Metrics;
using Mesh.Dashboard.Otlp.Protos.Metrics;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Metrics;
using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>
/// Stores the points of an OTLP metric export. Points flagged "no recorded value" are skipped; malformed histogram
/// points (bucket and bound counts that do not fit) are counted in the partial-success answer.
/// </summary>
internal sealed class OtlpMetricIngestor(TelemetryStore store, OtlpValueReader values)
{
    private const uint NoRecordedValueFlag = 1;

    public ExportMetricsServiceResponse Ingest(ExportMetricsServiceRequest request)
    {
        var now = store.Time.GetUtcNow();
        var batches = new List<MetricPointBatch>();
        long rejected = 0;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = OtlpResourceReader.Register(store, values, resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var scope = values.Name(scopeMetrics.Scope?.Name ?? string.Empty);
                foreach (var metric in scopeMetrics.Metrics)
                {
                    if (string.IsNullOrEmpty(metric.Name))
                    {
                        rejected += CountPoints(metric);
                        continue;
                    }
                    if (Read(resource, scope, metric, now, ref rejected) is { } batch)
                    {
                        batches.Add(batch);
                    }
                }
            }
        }
        store.AddMetrics(batches);
        store.Rejected(rejected);
        return new ExportMetricsServiceResponse
        {
            PartialSuccess = rejected == 0 ? null : new ExportMetricsPartialSuccess
            {
                RejectedDataPoints = rejected,
                ErrorMessage = "Metrics need a name, and histogram points one more bucket count than explicit bounds.",
            },
        };
    }

    private MetricPointBatch? Read(TelemetryResource resource, string scope, Metric metric, DateTimeOffset now, ref long rejected)
    {
        var points = new List<(KeyValuePair<string, string>[], MetricPoint)>();
        MetricInstrumentKind kind;
        var temporality = MetricTemporality.Unspecified;
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                kind = MetricInstrumentKind.Gauge;
                AddNumbers(metric.Gauge.DataPoints, points, now);
                break;
            case Metric.DataOneofCase.Sum:
                kind = metric.Sum.IsMonotonic ? MetricInstrumentKind.Counter : MetricInstrumentKind.UpDownCounter;
                temporality = (MetricTemporality)Math.Clamp((int)metric.Sum.AggregationTemporality, 0, 2);
                AddNumbers(metric.Sum.DataPoints, points, now);
                break;
            case Metric.DataOneofCase.Histogram:
                kind = MetricInstrumentKind.Histogram;
                temporality = (MetricTemporality)Math.Clamp((int)metric.Histogram.AggregationTemporality, 0, 2);
                foreach (var point in metric.Histogram.DataPoints)
                {
                    if ((point.Flags & NoRecordedValueFlag) != 0)
                    {
                        continue;
                    }
                    if (point.BucketCounts.Count != 0 && point.BucketCounts.Count != point.ExplicitBounds.Count + 1)
                    {
                        rejected++;
                        continue;
                    }
                    var distribution = new MetricDistribution(
                        point.Count,
                        point.HasSum ? point.Sum : null,
                        point.HasMin ? point.Min : null,
                        point.HasMax ? point.Max : null,
                        point.BucketCounts.Count == 0 ? [] : [.. point.ExplicitBounds],
                        point.BucketCounts.Count == 0 ? [point.Count] : [.. point.BucketCounts]);
                    points.Add((Attributes(point.Attributes), Point(point.StartTimeUnixNano, point.TimeUnixNano, point.HasSum ? point.Sum : 0, distribution, now)));
                }
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                kind = MetricInstrumentKind.ExponentialHistogram;
                temporality = (MetricTemporality)Math.Clamp((int)metric.ExponentialHistogram.AggregationTemporality, 0, 2);
                foreach (var point in metric.ExponentialHistogram.DataPoints)
                {
                    if ((point.Flags & NoRecordedValueFlag) == 0)
                    {
                        points.Add((Attributes(point.Attributes), Point(point.StartTimeUnixNano, point.TimeUnixNano, point.HasSum ? point.Sum : 0, ToExplicitBuckets(point), now)));
                    }
                }
                break;
            case Metric.DataOneofCase.Summary:
                kind = MetricInstrumentKind.Summary;
                temporality = MetricTemporality.Cumulative;
                foreach (var point in metric.Summary.DataPoints)
                {
                    if ((point.Flags & NoRecordedValueFlag) != 0)
                    {
                        continue;
                    }
                    var distribution = new MetricDistribution(point.Count, point.Sum, null, null, [], [point.Count],
                        [.. point.QuantileValues.Select(q => new MetricQuantile(q.Quantile, q.Value))]);
                    points.Add((Attributes(point.Attributes), Point(point.StartTimeUnixNano, point.TimeUnixNano, point.Sum, distribution, now)));
                }
                break;
            default:
                return null;
        }
        return new MetricPointBatch(resource, scope, metric.Name, metric.Description, metric.Unit, kind, temporality, points);
    }

    private void AddNumbers(IEnumerable<NumberDataPoint> dataPoints, List<(KeyValuePair<string, string>[], MetricPoint)> points, DateTimeOffset now)
    {
        foreach (var point in dataPoints)
        {
            if ((point.Flags & NoRecordedValueFlag) != 0)
            {
                continue;
            }
            var value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
            points.Add((Attributes(point.Attributes), Point(point.StartTimeUnixNano, point.TimeUnixNano, value, null, now)));
        }
    }

    private KeyValuePair<string, string>[] Attributes(Google.Protobuf.Collections.RepeatedField<Protos.Common.KeyValue> attributes) =>
        values.ReadAttributes(attributes, sortByKey: true);

    private static MetricPoint Point(ulong startNanoseconds, ulong timeNanoseconds, double value, MetricDistribution? distribution, DateTimeOffset now)
    {
        var time = OtlpTime.FromUnixNanoseconds(timeNanoseconds, now);
        return new MetricPoint(OtlpTime.FromUnixNanoseconds(startNanoseconds, DateTimeOffset.MinValue), time, value, distribution);
    }

    /// <summary>
    /// Bucket i of an exponential histogram holds values in (base^i, base^(i+1)] with base = 2^(2^-scale). They become
    /// explicit bounds base^offset .. base^(offset+n); zeros and negatives go to the first bucket.
    /// </summary>
    private static MetricDistribution ToExplicitBuckets(ExponentialHistogramDataPoint point)
    {
        var positive = point.Positive?.BucketCounts ?? [];
        var offset = point.Positive?.Offset ?? 0;
        var negatives = point.Negative?.BucketCounts.Aggregate(0UL, (sum, count) => sum + count) ?? 0;
        var exponentStep = Math.Pow(2, -point.Scale);
        var bounds = new double[positive.Count == 0 ? 0 : positive.Count + 1];
        for (var i = 0; i < bounds.Length; i++)
        {
            bounds[i] = Math.Pow(2, (offset + i) * exponentStep);
        }
        var counts = new ulong[bounds.Length + 1];
        counts[0] = point.ZeroCount + negatives;
        for (var i = 0; i < positive.Count; i++)
        {
            counts[i + 1] = positive[i];
        }
        return new MetricDistribution(point.Count, point.HasSum ? point.Sum : null, point.HasMin ? point.Min : null, point.HasMax ? point.Max : null, bounds, counts);
    }

    private static long CountPoints(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };
}
