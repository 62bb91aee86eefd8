namespace Mesh.Dashboard.Configuration;

/// <summary>The OTLP receiver: its two endpoints and the keys services must present (<c>Dashboard:Otlp</c>).</summary>
internal sealed class OtlpOptions
{
    public const string DefaultGrpcEndpointUrl = "http://127.0.0.1:18889";
    public const string DefaultHttpEndpointUrl = "http://127.0.0.1:18890";


    /// <summary>OTLP/gRPC, HTTP/2 without TLS; Aspire's <c>DOTNET_DASHBOARD_OTLP_ENDPOINT_URL</c>.</summary>
    public string GrpcEndpointUrl { get; set; } = DefaultGrpcEndpointUrl;

    /// <summary>OTLP/HTTP (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>); Aspire's <c>DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL</c>.</summary>
    public string HttpEndpointUrl { get; set; } = DefaultHttpEndpointUrl;

    public string? PrimaryApiKey { get; set; }

    /// <summary>A second accepted key, so the primary can be rotated without a gap.</summary>
    public string? SecondaryApiKey { get; set; }

    /// <summary>The largest export accepted on either transport (the exporters batch 512 spans by default, far below it).</summary>
    public int MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;
}
