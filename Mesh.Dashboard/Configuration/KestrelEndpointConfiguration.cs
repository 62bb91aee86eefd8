using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Configuration;

/// <summary>
/// Binds Kestrel to the UI endpoints and the OTLP/HTTP endpoint (HTTP/1.1 and HTTP/2) and the OTLP/gRPC endpoint
/// (HTTP/2 only, so gRPC works over plaintext h2c). Without TLS there is no protocol negotiation and Kestrel cannot
/// offer both versions on one port, so a plaintext HTTP/1.1-and-2 endpoint is served as HTTP/1.1 (what the OTLP/HTTP
/// exporters and browsers use there); with https:// both are offered.
/// </summary>
internal sealed class KestrelEndpointConfiguration(IOptions<DashboardOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var endpoints = DashboardEndpoints.From(options.Value);
        foreach (var frontend in endpoints.Frontend)
        {
            Listen(kestrel, frontend, Http1AndHttp2(frontend));
        }
        Listen(kestrel, endpoints.OtlpGrpc, HttpProtocols.Http2);
        Listen(kestrel, endpoints.OtlpHttp, Http1AndHttp2(endpoints.OtlpHttp));
        kestrel.Limits.MaxRequestBodySize = options.Value.Otlp.MaxRequestBodyBytes;
        kestrel.AddServerHeader = false;
    }

    private static HttpProtocols Http1AndHttp2(ListenAddress address) =>
        address.IsHttps ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, HttpProtocols protocols)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (address.IsHttps)
            {
                listen.UseHttps();
            }
        }

        if (address.IsLocalhost)
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
        else if (address.BindAddress is { } ip)
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, Configure);
        }
    }
}
