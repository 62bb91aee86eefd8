using Grpc.Core;
using Mesh.Dashboard.Otlp.Ingest;
using Mesh.Dashboard.Otlp.Protos.Collector.Metrics;

namespace Mesh.Dashboard.Otlp.Grpc;

/// <summary><c>opentelemetry.proto.collector.metrics.v1.MetricsService/Export</c>.</summary>
internal sealed class OtlpMetricsGrpcService(OtlpMetricIngestor ingestor) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestor.Ingest(request));
}
