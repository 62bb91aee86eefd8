using System.Net;
using System.Text;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Networking;
using Mesh.Hosting.Orchestration;
using Mesh.Hosting.Testing;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Dashboard;

/// <summary>The dashboard is secured unless told otherwise, and says what to set when it cannot start.</summary>
public sealed class DashboardStartupTests
{
    [Fact]
    public async Task Without_a_token_or_an_explicit_opt_out_it_refuses_to_start_and_says_why()
    {
        var environment = TestDashboard.Environment(PortAllocator.Next(), PortAllocator.Next());
        var (exitCode, output) = await RunExpectingExitAsync(builder => TestDashboard.AddDashboard(builder, environment));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DASHBOARD__FRONTEND__BROWSERTOKEN", output, StringComparison.Ordinal);
        Assert.Contains("DASHBOARD__OTLP__PRIMARYAPIKEY", output, StringComparison.Ordinal);
        Assert.Contains("DASHBOARD__UNSECUREDALLOWANONYMOUS=true", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public async Task Two_endpoints_on_one_port_are_refused()
    {
        var port = PortAllocator.Next();
        var environment = TestDashboard.Environment(PortAllocator.Next(), port, "token", "key");
        var (exitCode, output) = await RunExpectingExitAsync(builder => TestDashboard.AddDashboard(builder, environment).WithHttpEndpoint(port));
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Port {port} is used by more than one endpoint", output, StringComparison.Ordinal);
    }

    /// <summary>Runs a dashboard that is expected to refuse to start; returns its exit code and console.</summary>
    private static async Task<(int ExitCode, string Output)> RunExpectingExitAsync(Action<IDistributedApplicationBuilder> model)
    {
        await using var app = await TestApp.LaunchAsync(model);
        var dashboard = (await app.App.WaitForResourceAsync(TestDashboard.Name, ResourceState.FailedToStart, TimeSpan.FromSeconds(30)))[0];
        return (dashboard.ExitCode!.Value, dashboard.Logs.Tail(100));
    }

    [Fact]
    public async Task Aspire_unsecured_mode_opens_the_ui_and_otlp_to_anyone()
    {
        await using var dashboard = await TestDashboard.StartAsync(secured: false, new Dictionary<string, string>
        {
            ["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
        });
        using var client = dashboard.CreateClient();
        using var page = await client.GetAsync(new Uri("/mesh", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var api = await client.GetAsync(new Uri("/api/telemetry/stats", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var login = await client.GetAsync(new Uri("/login", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

        using var otlp = new HttpClient();
        using var content = new StringContent("""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"anon"}}]},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello"}}]}]}]}""",
            Encoding.UTF8, "application/json");
        using var export = await otlp.PostAsync(new Uri(dashboard.OtlpHttpUrl, "/v1/logs"), content);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        await TestDashboard.WaitForJsonAsync(client, "/api/telemetry/logs?resource=anon", json => json.GetProperty("records").GetArrayLength() == 1);
    }
}
