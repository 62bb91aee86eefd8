using Grpc.Core;
using Mesh.Dashboard.Otlp.Ingest;
using Mesh.Dashboard.Otlp.Protos.Collector.Trace;

namespace Mesh.Dashboard.Otlp.Grpc;

/// <summary><c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>.</summary>
internal sealed class OtlpTraceGrpcService(OtlpTraceIngestor ingestor) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestor.Ingest(request));
}
