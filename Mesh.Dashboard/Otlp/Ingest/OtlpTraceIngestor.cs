using Mesh.Dashboard.Otlp.Protos.Collector.Trace;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Traces;
using ProtoSpan = Mesh.Dashboard.Otlp.Protos.Trace.Span;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>Stores the spans of an OTLP trace export; spans with invalid ids are counted in the partial-success answer.</summary>
internal sealed class OtlpTraceIngestor(TelemetryStore store, OtlpValueReader values)
{
    public ExportTraceServiceResponse Ingest(ExportTraceServiceRequest request)
    {
        var now = store.Time.GetUtcNow();
        var spans = new List<TelemetrySpan>();
        long rejected = 0;
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = OtlpResourceReader.Register(store, values, resourceSpans.Resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = values.Name(scopeSpans.Scope?.Name ?? string.Empty);
                foreach (var span in scopeSpans.Spans)
                {
                    if (!TraceId.TryRead(span.TraceId.Span, out var traceId) || !SpanId.TryRead(span.SpanId.Span, out var spanId))
                    {
                        rejected++;
                        continue;
                    }
                    SpanId.TryRead(span.ParentSpanId.Span, out var parentSpanId);
                    var start = OtlpTime.FromUnixNanoseconds(span.StartTimeUnixNano, now);
                    spans.Add(new TelemetrySpan
                    {
                        TraceId = traceId,
                        SpanId = spanId,
                        ParentSpanId = parentSpanId,
                        Name = values.Name(span.Name),
                        Kind = (SpanKind)Math.Clamp((int)span.Kind, 0, 5),
                        Start = start,
                        End = OtlpTime.FromUnixNanoseconds(span.EndTimeUnixNano, start),
                        Status = span.Status is null ? SpanStatus.Unset : (SpanStatus)Math.Clamp((int)span.Status.Code, 0, 2),
                        StatusMessage = string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
                        Resource = resource,
                        Scope = scope,
                        Attributes = values.ReadAttributes(span.Attributes),
                        Events = ReadEvents(span, start),
                        Links = ReadLinks(span),
                    });
                }
            }
        }
        store.AddSpans(spans);
        store.Rejected(rejected);
        return new ExportTraceServiceResponse
        {
            PartialSuccess = rejected == 0 ? null : new ExportTracePartialSuccess
            {
                RejectedSpans = rejected,
                ErrorMessage = "Spans need a 16-byte trace id and an 8-byte span id that are not all zeros.",
            },
        };
    }

    private SpanEvent[] ReadEvents(ProtoSpan span, DateTimeOffset spanStart)
    {
        var limit = store.Limits.MaxSpanEventCount;
        if (span.Events.Count == 0 || limit == 0)
        {
            return [];
        }
        var events = new SpanEvent[Math.Min(span.Events.Count, limit)];
        for (var i = 0; i < events.Length; i++)
        {
            var item = span.Events[i];
            events[i] = new SpanEvent(values.Name(item.Name), OtlpTime.FromUnixNanoseconds(item.TimeUnixNano, spanStart), values.ReadAttributes(item.Attributes));
        }
        return events;
    }

    private SpanLink[] ReadLinks(ProtoSpan span)
    {
        if (span.Links.Count == 0)
        {
            return [];
        }
        var links = new List<SpanLink>(span.Links.Count);
        foreach (var link in span.Links)
        {
            if (TraceId.TryRead(link.TraceId.Span, out var traceId) && SpanId.TryRead(link.SpanId.Span, out var spanId))
            {
                links.Add(new SpanLink(traceId, spanId, values.ReadAttributes(link.Attributes)));
            }
        }
        return [.. links];
    }
}
