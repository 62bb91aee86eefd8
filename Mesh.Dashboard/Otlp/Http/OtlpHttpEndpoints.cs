using Mesh.Dashboard.Configuration;
using Mesh.Dashboard.Otlp.Ingest;
using Mesh.Dashboard.Otlp.Protos.Collector.Logs;
using Mesh.Dashboard.Otlp.Protos.Collector.Metrics;
using Mesh.Dashboard.Otlp.Protos.Collector.Trace;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Otlp.Http;

/// <summary>OTLP/HTTP: <c>POST /v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>, guarded by the OTLP API key instead of the browser login.</summary>
internal static class OtlpHttpEndpoints
{
    public const string TracesPath = "/v1/traces";
    public const string MetricsPath = "/v1/metrics";
    public const string LogsPath = "/v1/logs";

    public static RouteGroupBuilder MapOtlpHttpEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(string.Empty);
        group.AllowAnonymous().DisableAntiforgery().ExcludeFromDescription().AddEndpointFilter<OtlpHttpApiKeyFilter>();

        group.MapPost(TracesPath, (HttpContext context, OtlpTraceIngestor ingestor, IOptions<DashboardOptions> options) =>
            OtlpHttpExchange.HandleAsync(context, ExportTraceServiceRequest.Parser, ingestor.Ingest, options.Value.Otlp.MaxRequestBodyBytes));
        group.MapPost(MetricsPath, (HttpContext context, OtlpMetricIngestor ingestor, IOptions<DashboardOptions> options) =>
            OtlpHttpExchange.HandleAsync(context, ExportMetricsServiceRequest.Parser, ingestor.Ingest, options.Value.Otlp.MaxRequestBodyBytes));
        group.MapPost(LogsPath, (HttpContext context, OtlpLogIngestor ingestor, IOptions<DashboardOptions> options) =>
            OtlpHttpExchange.HandleAsync(context, ExportLogsServiceRequest.Parser, ingestor.Ingest, options.Value.Otlp.MaxRequestBodyBytes));
        return group;
    }
}
