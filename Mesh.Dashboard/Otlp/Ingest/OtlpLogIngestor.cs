using Mesh.Dashboard.Otlp.Protos.Collector.Logs;
using Mesh.Dashboard.Storage.Logs;
using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>Stores the records of an OTLP log export. Every record is kept; invalid trace ids just leave it unlinked.</summary>
internal sealed class OtlpLogIngestor(TelemetryStore store, OtlpValueReader values)
{
    public ExportLogsServiceResponse Ingest(ExportLogsServiceRequest request)
    {
        var now = store.Time.GetUtcNow();
        var records = new List<TelemetryLogRecord>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = OtlpResourceReader.Register(store, values, resourceLogs.Resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = values.Name(scopeLogs.Scope?.Name ?? string.Empty);
                foreach (var record in scopeLogs.LogRecords)
                {
                    TraceId.TryRead(record.TraceId.Span, out var traceId);
                    SpanId.TryRead(record.SpanId.Span, out var spanId);
                    var message = values.Format(record.Body);
                    records.Add(new TelemetryLogRecord
                    {
                        Timestamp = OtlpTime.FromUnixNanoseconds(record.TimeUnixNano, OtlpTime.FromUnixNanoseconds(record.ObservedTimeUnixNano, now)),
                        Severity = LogSeverities.From((int)record.SeverityNumber, record.SeverityText),
                        SeverityText = string.IsNullOrEmpty(record.SeverityText) ? null : record.SeverityText,
                        Message = message.Length > 0 ? message : record.EventName,
                        Resource = resource,
                        Scope = scope,
                        EventName = string.IsNullOrEmpty(record.EventName) ? null : record.EventName,
                        Attributes = values.ReadAttributes(record.Attributes),
                        TraceId = traceId,
                        SpanId = spanId,
                    });
                }
            }
        }
        store.AddLogs(records);
        return new ExportLogsServiceResponse();
    }
}
