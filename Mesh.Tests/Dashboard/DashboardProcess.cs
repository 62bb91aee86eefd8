using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Hosting.Networking;
using Mesh.Hosting.Processes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// The real dashboard as a process (its build output, <c>dotnet Mesh.Dashboard.dll</c>) on three free loopback ports: the
/// UI, OTLP/gRPC and OTLP/HTTP, configured the way an Aspire AppHost does (ASPNETCORE_URLS, DOTNET_DASHBOARD_* and DASHBOARD__*).
/// </summary>
public sealed class DashboardProcess : IAsyncDisposable
{

    private DashboardProcess(ManagedProcess process, int uiPort, int grpcPort, int httpPort, string? browserToken, string? apiKey)
    {
        Process = process;
        UiUrl = new Uri($"http://127.0.0.1:{uiPort}");
        OtlpGrpcUrl = new Uri($"http://127.0.0.1:{grpcPort}");
        OtlpHttpUrl = new Uri($"http://127.0.0.1:{httpPort}");
        BrowserToken = browserToken;
        ApiKey = apiKey;
    }

    public ManagedProcess Process { get; }

    public Uri UiUrl { get; }

    public Uri OtlpGrpcUrl { get; }

    public Uri OtlpHttpUrl { get; }

    public string? BrowserToken { get; }

    public string? ApiKey { get; }

    public string Logs => Process.Logs.Tail(80);

    /// <summary>Starts a dashboard with a fresh browser token and OTLP key (unless <paramref name="secured"/> is false) and waits for <c>/health</c>.</summary>
    public static async Task<DashboardProcess> StartAsync(bool secured = true, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var (uiPort, grpcPort, httpPort) = (PortAllocator.Next(), PortAllocator.Next(), PortAllocator.Next());
        var token = secured ? "token-" + Guid.NewGuid().ToString("N") : null;
        var key = secured ? "key-" + Guid.NewGuid().ToString("N") : null;
        var environment = Environment(uiPort, grpcPort, httpPort, token, key, extraEnvironment);
        var process = ManagedProcess.Start(Spec(environment), new LogBuffer(2000), TimeProvider.System);
        var dashboard = new DashboardProcess(process, uiPort, grpcPort, httpPort, token, key);
        try
        {
            await dashboard.WaitHealthyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
        return dashboard;
    }

    /// <summary>Runs a dashboard that is expected to refuse to start; returns its exit code and console.</summary>
    public static async Task<(int ExitCode, string Output)> RunExpectingExitAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        await using var process = ManagedProcess.Start(Spec(environment), new LogBuffer(500), TimeProvider.System);
        var finished = await Task.WhenAny(process.Exited, Task.Delay(timeout));
        Assert.True(finished == process.Exited, $"The dashboard kept running:\n{process.Logs.Tail(40)}");
        return (await process.Exited, process.Logs.Tail(100));
    }

    /// <summary>The standard variables for three ports, without any credentials.</summary>
    public static Dictionary<string, string> Environment(int uiPort, int grpcPort, int httpPort, string? token = null, string? key = null,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{uiPort}",
            ["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{grpcPort}",
            ["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = $"http://127.0.0.1:{httpPort}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
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

    private static ProcessSpec Spec(IReadOnlyDictionary<string, string> environment) =>
        new("dotnet", [Repository.ProjectDll("Mesh.Dashboard")], environment, Path.Combine(Repository.Root, "Mesh.Dashboard"));

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

    /// <summary>Polls the query API until <paramref name="condition"/> holds on the JSON at <paramref name="path"/>.</summary>
    public static async Task<JsonElement> WaitForJsonAsync(HttpClient client, string path, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (condition(last))
                {
                    return last;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{path} did not reach the expected state; last answer: {(last.ValueKind == JsonValueKind.Undefined ? "none" : last.ToString())}");
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"The dashboard exited with {await Process.Exited}:\n{Logs}");
            }
            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The dashboard was not healthy within {timeout}:\n{Logs}");
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
