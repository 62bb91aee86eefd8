namespace Mesh.Dashboard.Configuration;

/// <summary>The three kinds of endpoint the dashboard serves, parsed from validated options.</summary>
internal sealed record DashboardEndpoints(IReadOnlyList<ListenAddress> Frontend, ListenAddress OtlpGrpc, ListenAddress OtlpHttp)
{
    public static DashboardEndpoints From(DashboardOptions options) => new(
        ListenAddress.ParseList(options.Frontend.EndpointUrls),
        ListenAddress.ParseList(options.Otlp.GrpcEndpointUrl).Single(),
        ListenAddress.ParseList(options.Otlp.HttpEndpointUrl).Single());
}
