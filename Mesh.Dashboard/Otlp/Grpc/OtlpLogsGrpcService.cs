using Grpc.Core;
using Mesh.Dashboard.Otlp.Ingest;
using Mesh.Dashboard.Otlp.Protos.Collector.Logs;

namespace Mesh.Dashboard.Otlp.Grpc;

/// <summary><c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>.</summary>
internal sealed class OtlpLogsGrpcService(OtlpLogIngestor ingestor) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestor.Ingest(request));
}
