namespace Mesh.Dashboard.Configuration;

/// <summary>
/// Aspire's names for the dashboard's settings, mapped onto the <c>Dashboard:</c> section so an AppHost that speaks
/// Aspire configures this dashboard unchanged. A value set under the <c>Dashboard:</c> name wins.
/// </summary>
internal static class AspireEnvironmentAliases
{
    /// <summary>The host's URL setting (<c>ASPNETCORE_URLS</c>, <c>--urls</c>).</summary>
    public const string HostUrlsKey = "urls";

    private static readonly (string Alias, string Key)[] Aliases =
    [
        ("DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", "Dashboard:Otlp:GrpcEndpointUrl"),
        ("DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "Dashboard:Otlp:HttpEndpointUrl"),
        ("DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", "Dashboard:UnsecuredAllowAnonymous"),
        ("DOTNET_RESOURCE_SERVICE_ENDPOINT_URL", "Dashboard:ResourceServiceClient:Url"),
        (HostUrlsKey, "Dashboard:Frontend:EndpointUrls"),
    ];

    public static void Apply(IConfigurationBuilder builder, IConfiguration current)
    {
        var mapped = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, key) in Aliases)
        {
            var value = current[alias];
            if (!string.IsNullOrWhiteSpace(value) && string.IsNullOrWhiteSpace(current[key]))
            {
                mapped[key] = value;
            }
        }
        // Kestrel is given all its endpoints in code (three ports, each with its protocols). An empty URL setting would make
        // the host fall back to ASPNETCORE_URLS and Kestrel warn that it overrides it; a list of no URLs adds none.
        mapped[HostUrlsKey] = ";";
        builder.AddInMemoryCollection(mapped);
    }
}
