using Mesh.Dashboard.Configuration;
using Mesh.Dashboard.Otlp.Grpc;
using Mesh.Dashboard.Otlp.Http;
using Mesh.Dashboard.Otlp.Ingest;

namespace Mesh.Dashboard.Otlp;

/// <summary>Registers and maps the OTLP receiver: gRPC services on the gRPC port, HTTP endpoints on the HTTP port.</summary>
internal static class OtlpServiceExtensions
{
    public static IServiceCollection AddOtlpReceiver(this IServiceCollection services, DashboardOptions options)
    {
        services.AddSingleton<OtlpApiKeyAuthenticator>();
        services.AddSingleton<OtlpStringPool>();
        services.AddSingleton<OtlpValueReader>();
        services.AddSingleton<OtlpTraceIngestor>();
        services.AddSingleton<OtlpMetricIngestor>();
        services.AddSingleton<OtlpLogIngestor>();
        services.AddSingleton<OtlpApiKeyInterceptor>();
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<OtlpApiKeyInterceptor>();
            grpc.MaxReceiveMessageSize = options.Otlp.MaxRequestBodyBytes;
            grpc.EnableDetailedErrors = false;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapOtlpReceiver(this IEndpointRouteBuilder endpoints, DashboardEndpoints addresses)
    {
        // Each transport answers only on its own port (matched on the Host header's port, as Kestrel sees it).
        var grpcHost = $"*:{addresses.OtlpGrpc.Port}";
        endpoints.MapGrpcService<OtlpTraceGrpcService>().AllowAnonymous().RequireHost(grpcHost);
        endpoints.MapGrpcService<OtlpMetricsGrpcService>().AllowAnonymous().RequireHost(grpcHost);
        endpoints.MapGrpcService<OtlpLogsGrpcService>().AllowAnonymous().RequireHost(grpcHost);
        endpoints.MapOtlpHttpEndpoints().RequireHost($"*:{addresses.OtlpHttp.Port}");
        return endpoints;
    }
}
