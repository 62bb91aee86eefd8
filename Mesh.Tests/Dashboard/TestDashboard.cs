using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Networking;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// The real dashboard in a small app model: either a project configured by hand the way an Aspire AppHost configures
/// it (DOTNET_DASHBOARD_* and DASHBOARD__*, for the tests of its own settings), or the orchestrator's own dashboard
/// (<c>AddDashboard</c>), which reads the orchestrator's resource service.
/// </summary>
public sealed class TestDashboard : IAsyncDisposable
{
    public const string Name = "dashboard";

    private TestDashboard(TestApp app, Uri otlpGrpcUrl, Uri otlpHttpUrl, string? browserToken, string? apiKey)
    {
        App = app;
        UiUrl = app.Instance(Name).Url!;
        OtlpGrpcUrl = otlpGrpcUrl;
        OtlpHttpUrl = otlpHttpUrl;
        BrowserToken = browserToken;
        ApiKey = apiKey;
    }

    public TestApp App { get; }

    public Uri UiUrl { get; }

    public Uri OtlpGrpcUrl { get; }

    public Uri OtlpHttpUrl { get; }

    public string? BrowserToken { get; }

    public string? ApiKey { get; }

    public string Logs => App.Logs(Name);

    /// <summary>A dashboard with a fresh browser token and OTLP key (unless <paramref name="secured"/> is false) and no resource service.</summary>
    public static async Task<TestDashboard> StartAsync(bool secured = true, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var (grpcPort, httpPort) = (PortAllocator.Next(), PortAllocator.Next());
        var token = secured ? "token-" + Guid.NewGuid().ToString("N") : null;
        var key = secured ? "key-" + Guid.NewGuid().ToString("N") : null;
        var app = await TestApp.StartAsync(builder => AddDashboard(builder, Environment(grpcPort, httpPort, token, key, extraEnvironment)));
        return new TestDashboard(app, Loopback(grpcPort), Loopback(httpPort), token, key);
    }

    /// <summary>
    /// The orchestrator's dashboard, added after <paramref name="resources"/>: it lists them through the orchestrator's
    /// resource service, with their consoles, and receives their telemetry.
    /// </summary>
    public static async Task<TestDashboard> StartWithResourcesAsync(Action<IDistributedApplicationBuilder> resources)
    {
        var settings = new DashboardSettings
        {
            UiPort = PortAllocator.Next(),
            OtlpGrpcPort = PortAllocator.Next(),
            OtlpHttpPort = PortAllocator.Next(),
            BrowserToken = "token-" + Guid.NewGuid().ToString("N"),
            OtlpApiKey = "key-" + Guid.NewGuid().ToString("N"),
        };
        var app = await TestApp.StartAsync(builder =>
        {
            resources(builder);
            var dashboard = builder.AddDashboard(Name, "Mesh.Dashboard", settings);
            foreach (var (name, value) in Quiet)
            {
                dashboard.WithEnvironment(name, value);
            }
        });
        return new TestDashboard(app, new Uri(settings.OtlpGrpcUrl), new Uri(settings.OtlpHttpUrl), settings.BrowserToken, settings.OtlpApiKey);
    }

    /// <summary>The dashboard project with exactly this environment (the orchestrator adds its UI port as <c>ASPNETCORE_URLS</c>).</summary>
    public static IResourceBuilder<ProjectResource> AddDashboard(IDistributedApplicationBuilder builder, IReadOnlyDictionary<string, string> environment)
    {
        var dashboard = builder.AddService(Name, "Mesh.Dashboard");
        foreach (var (name, value) in environment)
        {
            dashboard.WithEnvironment(name, value);
        }
        return dashboard;
    }

    /// <summary>Production settings and warnings only, as a person runs it.</summary>
    private static readonly Dictionary<string, string> Quiet = new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>The standard variables for the two OTLP ports, with the credentials given.</summary>
    public static Dictionary<string, string> Environment(int grpcPort, int httpPort, string? token = null, string? key = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(Quiet)
        {
            ["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = Loopback(grpcPort).ToString().TrimEnd('/'),
            ["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = Loopback(httpPort).ToString().TrimEnd('/'),
        };
        if (token is not null)
        {
            environment["DASHBOARD__FRONTEND__BROWSERTOKEN"] = token;
        }
        if (key is not null)
        {
            environment["DASHBOARD__OTLP__PRIMARYAPIKEY"] = key;
        }
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        return environment;
    }

    private static Uri Loopback(int port) => new($"http://127.0.0.1:{port}");

    /// <summary>An HTTP client for the UI port that has logged in with the browser token (or needs none).</summary>
    public async Task<HttpClient> CreateLoggedInClientAsync()
    {
        var client = CreateClient(new CookieContainer());
        if (BrowserToken is not null)
        {
            using var login = await client.GetAsync(new Uri($"/login?t={Uri.EscapeDataString(BrowserToken)}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }
        return client;
    }

    /// <summary>A client for the UI port that does not follow redirects, so tests see them.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = UiUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>Waits until <paramref name="condition"/> holds on the JSON the query API answers at <paramref name="path"/>.</summary>
    public static Task<JsonElement> WaitForJsonAsync(HttpClient client, string path, Func<JsonElement, bool> condition, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(async () =>
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            },
            json => json.ValueKind != JsonValueKind.Undefined && condition(json),
            json => $"{path} answered {(json.ValueKind == JsonValueKind.Undefined ? "nothing usable" : json.ToString())}",
            timeout);

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
