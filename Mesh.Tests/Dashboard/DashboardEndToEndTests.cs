using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// The dashboard of the whole app, started by the testing builder, in headless Chromium: a person logs in, sends a
/// request through the coordinator, finds its trace with the seven stages, and watches routing_cache_hit move on the
/// metrics page and on the mesh page. Screenshots are saved under the test output's TestResults/screenshots.
/// </summary>
[Collection(MeshWithDashboard.Name)]
public sealed partial class DashboardEndToEndTests(MeshWithDashboard.Fixture mesh)
{
    private static JsonObject Ask(string system, string question) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = 6,
    };

    private async Task<(string RequestId, string Engine)> SendAsync(JsonObject body)
    {
        using var response = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (response.Headers.GetValues(MeshHeaders.RequestId).Single(), response.Headers.GetValues(MeshHeaders.Engine).Single());
    }

    [Fact]
    public Task A_person_follows_a_request_from_the_coordinator_to_its_trace_and_sees_cache_hits_move() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var dashboard = mesh.App.Dashboard!;
        var ui = dashboard.UiUrl;
        await using var browser = await HeadlessBrowser.LaunchAsync(20_000);
        var page = browser.Page;

        // Without the token the dashboard refuses; the AppHost's login URL lets the person in, onto the resources page.
        await page.GotoAsync($"{ui}/traces");
        await Expect(page.GetByText("Log in with the token printed by the AppHost")).ToBeVisibleAsync();
        await page.GotoAsync(dashboard.LoginUrl);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Resources");
        foreach (var instance in mesh.App.Instances)
        {
            await Expect(page.Locator(".resources-table")).ToContainTextAsync(instance.Name);
        }
        await browser.ScreenshotAsync("e2e-resources");

        // A request, then the same prefix again: the second is a cache hit.
        var system = $"System {Guid.NewGuid():N}: answer questions about inference meshes, routing and caches, with care.";
        await SendAsync(Ask(system, "first"));
        var (requestId, engine) = await SendAsync(Ask(system, "second"));
        var trace = await OpenAIClient.GetJsonAsync(mesh.Coordinator, $"/v1/mesh/requests/{requestId}/trace");
        var traceId = (string)trace["trace_id"]!;

        // Its trace, with the seven stages of MoFA and the engine's spans under them.
        await WaitForAsync(page, $"{ui}/traces/detail/{traceId}", page.Locator(".waterfall-row[data-span-name='workflow.complete']"));
        foreach (var stage in TraceStages.All.Concat([TraceAttributes.RequestSpan, TraceAttributes.EnginePrefillSpan, TraceAttributes.EngineDecodeSpan]))
        {
            await Expect(page.Locator($".waterfall-row[data-span-name='{stage}']").First).ToBeVisibleAsync();
        }
        await browser.ScreenshotAsync("e2e-trace");

        // routing_cache_hit on the metrics page: its total for the engine moves with the next hit.
        var hitRow = page.Locator(".instrument-view tbody tr").Filter(new LocatorFilterOptions { HasText = $"engine={engine}" })
            .Filter(new LocatorFilterOptions { HasText = "policy=prefix_aware" });
        await WaitForAsync(page, $"{ui}/metrics?resource=coordinator&instrument={MetricNames.RoutingCacheHit}&view=total", hitRow);
        var latest = hitRow.Locator("td").Nth(1); // dimensions | latest total | rate | points
        var before = long.Parse(await latest.InnerTextAsync(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        await SendAsync(Ask(system, "third"));
        await Expect(latest).ToHaveTextAsync((before + 1).ToString(CultureInfo.InvariantCulture), new LocatorAssertionsToHaveTextOptions { Timeout = PageTimeout });
        await browser.ScreenshotAsync("e2e-metrics");

        // The mesh page: the engine's routing hits, and the request with its stages, linked to its trace.
        await page.GotoAsync($"{ui}/mesh");
        var engineRow = page.Locator("[data-testid=engines] tr").Filter(new LocatorFilterOptions { HasText = engine });
        await Expect(engineRow.Locator("td").Nth(8)).ToHaveTextAsync(HitRatio(), new LocatorAssertionsToHaveTextOptions { Timeout = PageTimeout });
        var requests = page.Locator("[data-testid=requests]");
        await Expect(requests).ToContainTextAsync(requestId, new LocatorAssertionsToContainTextOptions { Timeout = PageTimeout });
        Assert.Contains(traceId, await requests.Locator("tr").Filter(new LocatorFilterOptions { HasText = requestId }).InnerHTMLAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("e2e-mesh");
    });

    /// <summary>How long a live page may take to show a change on a loaded machine.</summary>
    private static readonly float PageTimeout = (float)Eventually.DefaultTimeout.TotalMilliseconds;

    /// <summary>Navigates until the target shows (telemetry reaches the dashboard about a second after the fact).</summary>
    private static Task WaitForAsync(IPage page, string url, ILocator target) =>
        Eventually.TrueAsync(async () =>
        {
            await page.GotoAsync(url);
            try
            {
                await target.First.WaitForAsync(new LocatorWaitForOptions { Timeout = 3_000 });
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, () => $"{url} does not show {target}");

    [GeneratedRegex(@"^[1-9][0-9.]*%$")]
    private static partial Regex HitRatio();

}
