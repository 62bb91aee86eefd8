using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Aspire's dashboard, published as a container beside the mesh (as Aspire's own Compose environment can): every project
/// exports its telemetry to it with the OTLP key, and a person logs in with the browser token. Both are secrets.
/// </summary>
internal sealed class PublishedDashboard(ParameterResource browserToken, ParameterResource otlpApiKey)
{
    public const string Name = "dashboard";
    public const string Image = "mcr.microsoft.com/dotnet/aspire-dashboard:13.6";
    public const int UiPort = 18888;
    public const int OtlpGrpcPort = 18889;

    /// <summary>The dashboard's two secrets, added to the model once however many targets publish it.</summary>
    public static PublishedDashboard Add(IDistributedApplicationBuilder builder) => new(Secret(builder, "dashboard-browser-token"), Secret(builder, "dashboard-otlp-api-key"));

    private static ParameterResource Secret(IDistributedApplicationBuilder builder, string name) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) ?? builder.AddGeneratedSecret(name).Resource;

    /// <summary>What a project sets to export to the dashboard.</summary>
    public async Task AddExporterAsync(IList<KeyValuePair<string, string>> environment, TargetValues values, CancellationToken cancellationToken)
    {
        Set(environment, "OTEL_EXPORTER_OTLP_ENDPOINT", $"http://{Name}:{OtlpGrpcPort}");
        Set(environment, "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
        Set(environment, "OTEL_EXPORTER_OTLP_HEADERS", $"x-otlp-api-key={await values.ResolveAsync(otlpApiKey, cancellationToken)}");
    }

    public async Task<PublishedResource> ResourceAsync(TargetValues values, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> environment =
        [
            new("ASPNETCORE_URLS", $"http://0.0.0.0:{UiPort}"),
            new("DOTNET_DASHBOARD_OTLP_ENDPOINT_URL", $"http://0.0.0.0:{OtlpGrpcPort}"),
            new("DASHBOARD__FRONTEND__AUTHMODE", "BrowserToken"),
            new("DASHBOARD__FRONTEND__BROWSERTOKEN", await values.ResolveAsync(browserToken, cancellationToken)),
            new("DASHBOARD__OTLP__AUTHMODE", "ApiKey"),
            new("DASHBOARD__OTLP__PRIMARYAPIKEY", await values.ResolveAsync(otlpApiKey, cancellationToken)),
        ];
        return new PublishedResource(Name, Image, 1, environment, [],
            [new PublishedPort("http", UiPort, Http: true, HostPort: UiPort), new PublishedPort("otlp-grpc", OtlpGrpcPort, Http: false, HostPort: null)],
            ReadinessPath: null, LivenessPath: null, Gpus: 0, RestartOnExit: true, DependsOn: [], values.Secrets, AdvertisesEachReplica: false);
    }

    /// <summary>Sets a variable, in place of any value the app model gave it.</summary>
    public static void Set(IList<KeyValuePair<string, string>> environment, string name, string value)
    {
        for (var i = 0; i < environment.Count; i++)
        {
            if (environment[i].Key == name)
            {
                environment[i] = new(name, value);
                return;
            }
        }
        environment.Add(new(name, value));
    }
}
