using System.Diagnostics.Metrics;

namespace Mesh.Dashboard.Storage;

/// <summary>The store's own figures as instruments of the <c>Mesh.Dashboard</c> meter (read with dotnet-counters or an exporter).</summary>
internal sealed class TelemetryStoreMetrics
{
    public const string MeterName = "Mesh.Dashboard";

    public TelemetryStoreMetrics(IMeterFactory meterFactory, TelemetryStore store)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("dashboard_otlp_spans_accepted", () => store.Statistics().AcceptedSpans, "{span}", "Spans stored since start.");
        meter.CreateObservableCounter("dashboard_otlp_log_records_accepted", () => store.Statistics().AcceptedLogRecords, "{record}", "Log records stored since start.");
        meter.CreateObservableCounter("dashboard_otlp_metric_points_accepted", () => store.Statistics().AcceptedMetricPoints, "{point}", "Metric points stored since start.");
        meter.CreateObservableCounter("dashboard_otlp_items_rejected", () => store.Statistics().RejectedItems, "{item}", "Items refused: invalid, duplicate or over a limit.");
        meter.CreateObservableGauge("dashboard_store_traces", () => store.Traces.TraceCount, "{trace}", "Traces held.");
        meter.CreateObservableGauge("dashboard_store_log_records", () => store.Logs.Count, "{record}", "Log records held.");
        meter.CreateObservableGauge("dashboard_store_metric_series", () => store.Metrics.SeriesCount, "{series}", "Metric series held.");
    }
}
