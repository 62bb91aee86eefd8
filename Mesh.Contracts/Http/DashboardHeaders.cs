namespace Mesh.Contracts.Http;

/// <summary>The keys services and the orchestrator present to the dashboard, named as Aspire's dashboard names them.</summary>
public static class DashboardHeaders
{
    /// <summary>On every OTLP export (gRPC metadata or HTTP header), when the dashboard requires a key.</summary>
    public const string OtlpApiKey = "x-otlp-api-key";

    /// <summary>On the dashboard's calls to the orchestrator's resource service, when it has a key.</summary>
    public const string ResourceServiceKey = "x-resource-service-key";
}
