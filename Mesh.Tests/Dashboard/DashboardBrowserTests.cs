using Mesh.Tests.Infrastructure;
using Mesh.Contracts.Telemetry;
using Microsoft.Playwright;
using OpenTelemetry.Exporter;
using static Microsoft.Playwright.Assertions;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// A person in a real browser (Debian's chromium, headless): logs in, finds a routed request's trace waterfall and, on
/// the mesh page, why the request went where it went. Screenshots are saved under the test output's TestResults/screenshots.
/// </summary>
[Collection(MeshTelemetryNames.Name)]
public sealed class DashboardBrowserTests(MeshDashboardFixture fixture)
{
    [Fact]
    public async Task A_person_logs_in_and_sees_the_trace_waterfall_and_the_mesh_page()
    {
        var dashboard = fixture.Dashboard;
        var ui = dashboard.UiUrl.ToString().TrimEnd('/');
        var requestId = "req-" + Guid.NewGuid().ToString("N")[..8];
        using var scenario = new MeshScenario(dashboard, OtlpExportProtocol.Grpc);
        var traceId = scenario.RecordRequest(requestId, scenario.Coordinator.CreateLogger("Mesh.Coordinator.Routing")).ToString();
        for (var round = 0; round < 3; round++)
        {
            scenario.RecordRouting(8);
            scenario.Flush();
            await Task.Delay(200); // not a wait: metric points a little apart in time, so that rates have something to measure
        }
        await TestDashboard.WaitForJsonAsync(fixture.Api, $"/api/telemetry/traces/{traceId}", json => json.GetProperty("spans").GetArrayLength() == 11);

        await using var browser = await HeadlessBrowser.LaunchAsync(15_000);
        var page = browser.Page;

        // Without the cookie, the login page; with the token, the resources page.
        await page.GotoAsync($"{ui}/mesh");
        await Expect(page.GetByText("Log in with the token printed by the AppHost")).ToBeVisibleAsync();
        await page.GotoAsync($"{ui}/login?t={dashboard.BrowserToken}");
        Assert.Equal($"{ui}/", page.Url);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Resources");
        await Expect(page.Locator(".resources-table")).ToContainTextAsync(fixture.RestartedReplica);
        await Expect(page.Locator(".console")).ToContainTextAsync("handled request");
        await Expect(page.Locator(".kv-table").First).ToContainTextAsync("ConnectionStrings__redis"); // shown, with its password masked
        Assert.DoesNotContain(MeshDashboardFixture.Password, await page.ContentAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("dashboard-resources");

        // The trace list leads to the waterfall, with the seven stages and the engine's spans.
        await GotoInteractiveAsync(page, $"{ui}/traces?text={requestId}");
        var row = page.Locator(".traces-table tbody tr").Filter(new LocatorFilterOptions { HasText = "mesh.request" });
        await Expect(row).ToHaveCountAsync(1);
        await row.Locator("a.trace-name").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/traces/detail/{traceId}"));
        await Expect(page.Locator(".shell[data-interactive=true]")).ToHaveCountAsync(1);
        foreach (var name in Mesh.Contracts.Telemetry.TraceStages.All.Concat([Mesh.Contracts.Telemetry.TraceAttributes.RequestSpan, Mesh.Contracts.Telemetry.TraceAttributes.EngineQueueSpan, Mesh.Contracts.Telemetry.TraceAttributes.EnginePrefillSpan, Mesh.Contracts.Telemetry.TraceAttributes.EngineDecodeSpan]))
        {
            await Expect(page.Locator($".waterfall-row[data-span-name='{name}']")).ToBeVisibleAsync();
        }
        var selection = page.Locator(".waterfall-row[data-span-name='router.backend_selection']");
        await ClickUntilAsync(selection, page.Locator(".span-details"), "Why this engine");
        await Expect(page.Locator(".span-details .candidates")).ToContainTextAsync(MeshScenario.OtherEngine);
        await Expect(page.Locator(".span-details .candidates tr.chosen")).ToContainTextAsync(MeshScenario.ChosenEngine);
        await browser.ScreenshotAsync("dashboard-trace-waterfall");

        // The mesh page: engines, rates, and the request's decision with its candidates.
        await page.GotoAsync($"{ui}/mesh?request={traceId}");
        await Expect(page.Locator("[data-testid=requests]")).ToContainTextAsync(requestId);
        var decision = page.Locator("[data-testid=selected-request]");
        await Expect(decision).ToContainTextAsync($"Why request {requestId} went to {MeshScenario.ChosenEngine}");
        await Expect(decision).ToContainTextAsync(MeshScenario.Reason);
        await Expect(decision.Locator(".candidates tr.chosen")).ToContainTextAsync("12.3 ms");
        await Expect(decision.Locator(".candidates")).ToContainTextAsync(MeshScenario.OtherEngine);
        var engines = page.Locator("[data-testid=engines]");
        await Expect(engines.Locator("tr").Filter(new LocatorFilterOptions { HasText = MeshScenario.ChosenEngine })).ToContainTextAsync("23.4%");
        await Expect(engines).ToContainTextAsync("routing only");
        Assert.Equal(7, await decision.Locator(".stage.present").CountAsync());

        // The page follows new telemetry by itself.
        var laterRequestId = "req-" + Guid.NewGuid().ToString("N")[..8];
        scenario.RecordRequest(laterRequestId);
        scenario.RecordRouting(8);
        scenario.Flush();
        await Expect(page.Locator("[data-testid=requests]")).ToContainTextAsync(laterRequestId, new LocatorAssertionsToContainTextOptions { Timeout = 10_000 });
        await browser.ScreenshotAsync("dashboard-mesh");

        // A histogram as percentiles over time, and the request's log linked to its trace.
        await page.GotoAsync($"{ui}/metrics?resource=coordinator-main&instrument={MetricNames.TimeToFirstToken}");
        await Expect(page.Locator(".chart svg")).ToBeVisibleAsync();
        await Expect(page.Locator(".chart-legend")).ToContainTextAsync("p50");
        await Expect(page.Locator(".chart-legend")).ToContainTextAsync("p99");
        await Expect(page.Locator(".instrument-view tbody tr").First).ToContainTextAsync("engine=engine-abcdefgh");
        await browser.ScreenshotAsync("dashboard-metrics");
        scenario.Coordinator.Dispose();
        await page.GotoAsync($"{ui}/structuredlogs?traceId={traceId}");
        await Expect(page.Locator(".logs-table")).ToContainTextAsync($"Routed {requestId} to {MeshScenario.ChosenEngine}", new LocatorAssertionsToContainTextOptions { Timeout = 10_000 });
        await browser.ScreenshotAsync("dashboard-structured-logs");
    }

    /// <summary>Opens a page and waits until its Blazor circuit renders, so clicks have handlers.</summary>
    private static async Task GotoInteractiveAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await Expect(page.Locator(".shell[data-interactive=true]")).ToHaveCountAsync(1);
    }

    /// <summary>Clicks until the page reacts: a click before the Blazor circuit is connected does nothing.</summary>
    private static Task ClickUntilAsync(ILocator target, ILocator result, string expectedText) =>
        Eventually.TrueAsync(async () =>
        {
            await target.ClickAsync();
            try
            {
                await Expect(result).ToContainTextAsync(expectedText, new LocatorAssertionsToContainTextOptions { Timeout = 1_000 });
                return true;
            }
            catch (PlaywrightException)
            {
                return false; // the circuit was not connected yet: the click did nothing
            }
        }, () => $"clicking did not show '{expectedText}'");

}
