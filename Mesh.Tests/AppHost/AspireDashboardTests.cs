using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.Tests.AppHost;

/// <summary>
/// A person in a real browser (Debian's chromium, headless) on Aspire's own dashboard and on the coordinator's routing
/// view: logs in with the token, finds the engines with their live state, a routed request's trace with why it went
/// where it went, the GenAI view of a chat span, the routing metrics; runs the mesh's commands. Screenshots are saved
/// under the test output's TestResults/screenshots.
/// </summary>
[Collection(MeshWithDashboard.Name)]
public sealed partial class AspireDashboardTests(MeshWithDashboard.Fixture mesh)
{
    [GeneratedRegex("^engine-[a-z]{8}$")]
    private static partial Regex EngineReplica();

    private static JsonObject Ask(string system, string question) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = 4,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    private string Ui => mesh.DashboardLogin.GetLeftPart(UriPartial.Authority);

    /// <summary>Sends a request and waits until the dashboard holds its routing span; returns its request id, engine and trace id.</summary>
    private async Task<(string RequestId, string Engine, string TraceId)> RoutedRequestAsync()
    {
        var result = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask($"System {Guid.NewGuid():N}: answer about dashboards.", "where did this go?"));
        Assert.Equal(200, result.StatusCode);
        var requestId = result.Headers[MeshHeaders.RequestId];
        var trace = await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(mesh.Coordinator, $"/v1/mesh/requests/{requestId}/trace"), _ => true, t => t.ToJsonString());
        var traceId = (string)trace["trace_id"]!;
        await Eventually.MatchAsync(() => mesh.Dashboard.TraceAsync(traceId), spans => spans.Any(s => s.Name == TraceStages.RouterBackendSelection && s.Attributes.ContainsKey(TraceAttributes.Candidates)),
            spans => $"{spans.Count} spans so far");
        return (requestId, result.Headers[MeshHeaders.Engine], traceId);
    }

    private static async Task<bool> VisibleSoonAsync(ILocator locator)
    {
        try
        {
            await locator.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 2_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<HeadlessBrowser> LoggedInAsync()
    {
        var browser = await HeadlessBrowser.LaunchAsync((float)Eventually.DefaultTimeout.TotalMilliseconds);
        await browser.Page.GotoAsync(mesh.DashboardLogin.ToString());
        return browser;
    }

    [Fact]
    public Task A_person_logs_in_and_finds_the_engines_live_state_a_routing_trace_the_GenAI_view_and_the_routing_metrics() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var (_, engine, traceId) = await RoutedRequestAsync();
        await using var browser = await HeadlessBrowser.LaunchAsync((float)Eventually.DefaultTimeout.TotalMilliseconds);
        var page = browser.Page;

        // Without the token, the login page; with it, the resources, every engine replica among them.
        await page.GotoAsync(Ui + "/");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await page.GotoAsync(mesh.DashboardLogin.ToString());
        var names = page.Locator(".resource-name-text");
        await Expect(names.Filter(new() { HasText = "coordinator" })).ToHaveCountAsync(1);
        await Expect(names.Filter(new() { HasTextRegex = EngineReplica() })).ToHaveCountAsync(2);

        // An engine's live state, as the coordinator knows it, in its resource's properties.
        await names.Filter(new() { HasText = engine }).ClickAsync();
        var details = page.Locator(".property-grid, [class*=details]").Filter(new() { HasText = "Mesh state" }).First;
        await Expect(details).ToContainTextAsync("routable");
        await Expect(details).ToContainTextAsync("KV blocks used / capacity");
        await Expect(details).ToContainTextAsync("mesh-tiny");
        await browser.ScreenshotAsync("dashboard-resources-engine-properties");

        // The request's trace: the routing span says which candidates were weighed and why the winner won.
        await page.GotoAsync($"{Ui}/traces/detail/{traceId}");
        var selection = page.Locator($"td[title='coordinator: {TraceStages.RouterBackendSelection}']").First;
        await Expect(selection).ToBeVisibleAsync();
        foreach (var stage in TraceStages.All)
        {
            await Expect(page.Locator($"td[title='coordinator: {stage}']").First).ToBeVisibleAsync();
        }
        await Expect(page.Locator($"td[title='{engine}: {TraceAttributes.EnginePrefillSpan}']").First).ToBeVisibleAsync();
        await selection.ClickAsync();
        await Expect(page.GetByText(TraceAttributes.Candidates).First).ToBeVisibleAsync();
        await Expect(page.GetByText(TraceAttributes.Reason, new() { Exact = true }).First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("dashboard-routing-trace");

        // The engine's chat span opens Aspire's GenAI view.
        await page.Locator("td[title$=': chat mesh-tiny'] .genai-details-button").First.ClickAsync();
        var genAi = page.Locator(".genai-visualizer-container");
        await Expect(genAi).ToContainTextAsync("chat mesh-tiny");
        await Expect(genAi).ToContainTextAsync("Tokens");
        await browser.ScreenshotAsync("dashboard-genai-view");
        await page.Keyboard.PressAsync("Escape");

        // The seed's routing counters, by engine and policy.
        await page.GotoAsync($"{Ui}/metrics/resource/coordinator?meter={MetricNames.CoordinatorMeter}&instrument={MetricNames.RoutingCacheMiss}&duration=5&view=Table");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = MetricNames.RoutingCacheMiss })).ToBeVisibleAsync();
        await Expect(page.Locator("body")).ToContainTextAsync("prefix_aware");
        await browser.ScreenshotAsync("dashboard-routing-metrics");
    });

    [Fact]
    public Task The_routing_view_linked_from_the_coordinator_shows_each_requests_candidates_and_why_the_winner_won() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var (requestId, engine, _) = await RoutedRequestAsync();
        await using var browser = await LoggedInAsync();
        var page = browser.Page;
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Routing view" });
        await Expect(link).ToBeVisibleAsync();
        var view = await link.GetAttributeAsync("href") ?? throw new InvalidOperationException("The routing view's link has no address.");

        await page.GotoAsync(view);
        await Expect(page.Locator("[data-testid=engines]")).ToContainTextAsync(engine);
        var row = page.Locator($"tr.request[data-request='{requestId}']");
        await row.ClickAsync();
        var decision = page.Locator("[data-testid=decision]");
        await Expect(decision).ToContainTextAsync($"Why request {requestId} went to {engine}");
        await Expect(decision.Locator(".candidates tr.chosen")).ToContainTextAsync(engine);
        Assert.True(await decision.Locator(".candidates tbody tr").CountAsync() >= 2, "the router weighed one candidate only");
        Assert.Equal(TraceStages.All.Count, await decision.Locator(".stages li").CountAsync());
        await browser.ScreenshotAsync("routing-view");
    });

    [Fact]
    public Task The_meshs_commands_reset_an_engines_cache_drain_and_resume_it_and_choose_the_default_policy() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var replica = mesh.App.Replicas("engine")[0].Id;
        async Task<JsonObject> EngineAsync() => (await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines"))["engines"]!.AsArray()
            .Select(e => e!.AsObject()).Single(e => (string?)e["id"] == replica);
        var epoch = (long)(await EngineAsync())["epoch"]!;

        // Reset, from the replica's row in the dashboard: Actions, Commands, Reset KV cache.
        await using (var browser = await LoggedInAsync())
        {
            var page = browser.Page;
            var row = page.Locator("tr.resource-row").Filter(new() { Has = page.Locator(".resource-name-text", new() { HasText = replica }) });
            var commandsMenu = page.GetByRole(AriaRole.Menuitem, new() { Name = "Commands", Exact = true });
            var reset = page.Locator("fluent-menu-item[title^='Empties this replica']");
            // A click before the page's circuit is connected does nothing: open the menu until it opens.
            await Eventually.TrueAsync(async () =>
            {
                await row.Locator("fluent-button[title='Actions']").ClickAsync();
                if (!await VisibleSoonAsync(commandsMenu))
                {
                    return false;
                }
                await commandsMenu.ClickAsync();
                return await VisibleSoonAsync(reset);
            }, () => "the engine's Commands menu did not offer Reset KV cache");
            await reset.ClickAsync();
            await browser.ScreenshotAsync("dashboard-engine-command");
        }
        await Eventually.MatchAsync(EngineAsync, e => (long)e["epoch"]! > epoch, e => $"epoch {e["epoch"]}, before {epoch}");

        // Drain: the replica is not routed to; resume: it is again.
        var commands = mesh.App.App.ResourceCommands;
        Assert.True((await commands.ExecuteCommandAsync(replica, "mesh-drain")).Success);
        try
        {
            Assert.True((bool)(await EngineAsync())["draining"]!);
            for (var i = 0; i < 6; i++)
            {
                var result = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask($"Drained {Guid.NewGuid():N}", "where?"));
                Assert.NotEqual(replica, result.Headers[MeshHeaders.Engine]);
            }
        }
        finally
        {
            Assert.True((await commands.ExecuteCommandAsync(replica, "mesh-resume")).Success);
        }
        Assert.False((bool)(await EngineAsync())["draining"]!);

        // The coordinator's default policy, for requests that name none.
        Assert.True((await commands.ExecuteCommandAsync("coordinator", "mesh-policy-round_robin")).Success);
        try
        {
            Assert.Equal("round_robin", (string?)(await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines"))["default_policy"]);
            var routed = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", Ask($"Policy {Guid.NewGuid():N}", "which policy?"));
            Assert.Equal("round_robin", (string?)routed.Mesh?["policy"]);
        }
        finally
        {
            Assert.True((await commands.ExecuteCommandAsync("coordinator", "mesh-policy-prefix_aware")).Success);
        }
    });
}
