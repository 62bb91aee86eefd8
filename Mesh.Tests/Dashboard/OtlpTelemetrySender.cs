using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Mesh.Contracts.Http;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// Telemetry from one pretend service through the real OpenTelemetry .NET SDK and OTLP exporter, over gRPC or
/// http/protobuf, to a dashboard: the same path every Mesh service takes. Flushing exports at once.
/// </summary>
public sealed class OtlpTelemetrySender : IDisposable
{
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metrics;
    private readonly ILoggerFactory _logging;
    private bool _disposed;

    public OtlpTelemetrySender(TestDashboard dashboard, OtlpExportProtocol protocol, string serviceName, string instanceId,
        string activitySource, string meter, string? apiKey = null)
    {
        var key = apiKey ?? dashboard.ApiKey;
        var resource = ResourceBuilder.CreateEmpty().AddService(serviceName, serviceInstanceId: instanceId, autoGenerateServiceInstanceId: false);

        void Configure(OtlpExporterOptions options, string signalPath)
        {
            options.Protocol = protocol;
            // Set in code, the http/protobuf endpoint is the full signal URL; gRPC takes the base address.
            options.Endpoint = protocol == OtlpExportProtocol.Grpc
                ? dashboard.OtlpGrpcUrl
                : new Uri(dashboard.OtlpHttpUrl, signalPath);
            options.Headers = key is null ? null : $"{DashboardHeaders.OtlpApiKey}={key}";
            options.TimeoutMilliseconds = 10_000;
        }

        _tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(activitySource)
            .AddOtlpExporter(options => Configure(options, "/v1/traces"))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(meter)
            .AddOtlpExporter((options, reader) =>
            {
                Configure(options, "/v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 60_000;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        _logging = LoggerFactory.Create(logging => logging.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(resource);
            options.IncludeFormattedMessage = true;
            options.AddOtlpExporter(exporter => Configure(exporter, "/v1/logs"));
        }));
    }

    public ILogger CreateLogger(string category) => _logging.CreateLogger(category);

    /// <summary>Exports the finished spans and a collection of every instrument now; asserts the receiver took them unless told otherwise.</summary>
    public void Flush(bool expectAccepted = true)
    {
        var traces = _tracing.ForceFlush(10_000);
        var metrics = _metrics.ForceFlush(10_000);
        if (expectAccepted)
        {
            Assert.True(traces, "The trace export failed.");
            Assert.True(metrics, "The metric export failed.");
        }
    }

    /// <summary>Exports everything, logs included (the logging pipeline flushes when it shuts down), and stops.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _tracing.Dispose();
        _metrics.Dispose();
        _logging.Dispose();
    }

    /// <summary>A name no other test uses, so the process-wide ActivitySource and Meter listeners do not mix tests.</summary>
    public static string UniqueName(string prefix) => $"{prefix}.{Guid.NewGuid():N}";

    public static ActivityTraceId RecordSpans(ActivitySource source, string rootName, int children)
    {
        using var root = source.StartActivity(rootName, ActivityKind.Server) ?? throw new InvalidOperationException("The source has no listener.");
        root.SetTag("test.kind", "root");
        for (var i = 0; i < children; i++)
        {
            using var child = source.StartActivity($"child-{i}");
            child?.SetTag("test.index", i);
            child?.AddEvent(new ActivityEvent("checkpoint", tags: new ActivityTagsCollection { ["test.step"] = i }));
        }
        return root.TraceId;
    }
}
