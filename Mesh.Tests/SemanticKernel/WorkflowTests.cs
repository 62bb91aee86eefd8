using System.Net;
using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.AppHost;
using Mesh.Tests.Dashboard;
using Mesh.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Mesh.Tests.SemanticKernel;

/// <summary>
/// The AppHost's Semantic Kernel workflow, started by the testing builder with the dashboard: a run completes every step,
/// the sub-questions find the shared brief cached, and the dashboard holds one trace from the workflow through Semantic
/// Kernel and the coordinator into the engines, with its GenAI spans shown as such.
/// </summary>
[Collection(MeshWithDashboard.Name)]
public sealed class WorkflowTests(MeshWithDashboard.Fixture mesh)
{
    private static JsonObject Question(string question) => new() { ["question"] = question };

    [Fact]
    public Task A_run_completes_every_step_and_its_trace_runs_from_the_workflow_into_the_engines() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var run = await OpenAIClient.PostJsonAsync(mesh.Workflow, "/workflows/run", Question($"Explain photosynthesis {Guid.NewGuid():N}"));

        var steps = run["steps"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Equal(["plan", "sub-question 1", "sub-question 2", "sub-question 3", "synthesis"], steps.Select(s => (string)s["step"]!).Order(StringComparer.Ordinal));
        Assert.All(steps, s => Assert.False(string.IsNullOrEmpty((string?)s["engine"]), $"{s["step"]} has no engine"));
        Assert.All(steps.Where(s => ((string)s["step"]!).StartsWith("sub-question", StringComparison.Ordinal)),
            s => Assert.True((int)s["cached_tokens"]! > 0, $"{s["step"]} found nothing cached"));
        var synthesis = steps.Single(s => (string)s["step"]! == "synthesis");
        Assert.Equal(("CloudOnly", "cloud"), ((string?)synthesis["tier_policy"], (string?)synthesis["tier"]));
        var traceId = (string)run["trace_id"]!;

        // One trace in the dashboard: the workflow's spans, Semantic Kernel's, the coordinator's seven stages per call, the engines'.
        using var dashboard = await LoggedInDashboardAsync();
        var trace = await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(dashboard, $"/api/telemetry/traces/{traceId}"),
            // The workflow's own root span ends last, so it is exported last: the trace is whole once it is there too.
            t => t["spans"]!.AsArray().Count(s => (string?)s!["name"] == TraceStages.WorkflowComplete) == steps.Count
                && t["spans"]!.AsArray().Any(s => (string?)s!["name"] == TraceAttributes.EngineDecodeSpan)
                && t["spans"]!.AsArray().Any(s => (string?)s!["name"] == "workflow.run"),
            t => $"{t["spans"]!.AsArray().Count} spans so far");
        var spans = trace["spans"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.Contains(spans, s => (string?)s["name"] == "workflow.run" && (string?)s["resource"] == "workflow");
        Assert.Equal(steps.Count, spans.Count(s => ((string)s["name"]!).StartsWith("workflow.step", StringComparison.Ordinal)));
        Assert.Contains(spans, s => ((string?)s["scope"] ?? "").StartsWith("Microsoft.SemanticKernel", StringComparison.Ordinal));
        foreach (var stage in TraceStages.All)
        {
            Assert.Equal(steps.Count, spans.Count(s => (string?)s["name"] == stage && (string?)s["resource"] == "coordinator"));
        }
        Assert.Contains(spans, s => (string?)s["name"] == TraceAttributes.EnginePrefillSpan && ((string?)s["resource"] ?? "").StartsWith("engine-", StringComparison.Ordinal));
        Assert.Contains(spans, s => (string?)s["name"] == "chat mesh-tiny" && s["attributes"]![GenAiConventions.UsageCacheReadInputTokens] is not null);
    });

    [Fact]
    public Task The_streaming_run_reports_each_step_as_it_finishes() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var response = await mesh.Workflow.SendAsync(OpenAIClient.Post("/workflows/run/stream", Question("Why is the sky blue?")), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                events.Add(line[7..]);
            }
        }
        Assert.Equal([.. Enumerable.Repeat("step", 5), "run"], events);
    });

    [Fact]
    public Task A_run_without_a_question_is_an_OpenAI_error() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var response = await mesh.Workflow.SendAsync(OpenAIClient.Post("/workflows/run", new JsonObject { ["question"] = " " }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("question", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]);
    });

    [Fact]
    public Task The_dashboards_GenAI_view_shows_a_workflow_chat_spans_token_counts() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var run = await OpenAIClient.PostJsonAsync(mesh.Workflow, "/workflows/run", Question($"How do tides work {Guid.NewGuid():N}"));
        var traceId = (string)run["trace_id"]!;
        using (var dashboard = await LoggedInDashboardAsync())
        {
            await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(dashboard, $"/api/telemetry/traces/{traceId}"),
                t => t["spans"]!.AsArray().Any(s => (string?)s!["name"] == "chat mesh-tiny"), t => $"{t["spans"]!.AsArray().Count} spans so far");
        }

        await using var browser = await HeadlessBrowser.LaunchAsync((float)Eventually.DefaultTimeout.TotalMilliseconds);
        var page = browser.Page;
        await page.GotoAsync(mesh.App.Dashboard!.LoginUrl);
        await page.GotoAsync($"{mesh.App.Dashboard.UiUrl}/traces?text={traceId}");
        await Expect(page.Locator(".traces-table .genai-badge").First).ToBeVisibleAsync();
        await page.GotoAsync($"{mesh.App.Dashboard.UiUrl}/traces/detail/{traceId}");
        await Expect(page.Locator(".shell[data-interactive=true]")).ToHaveCountAsync(1);
        // The last chat span is an engine's (a descendant of Semantic Kernel's client span): it knows the cached tokens.
        var chat = page.Locator(".waterfall-row[data-span-name='chat mesh-tiny']").Last;
        await Expect(chat.Locator(".genai-badge")).ToBeVisibleAsync();
        var details = page.Locator("[data-testid=genai]");
        await Eventually.TrueAsync(async () =>
        {
            await chat.ClickAsync();
            return await details.CountAsync() > 0;
        }, () => "the GenAI details did not open");
        await Expect(details).ToContainTextAsync("Input tokens");
        Assert.Matches("Output tokens\\s*[1-9]", await details.InnerTextAsync());
        Assert.Matches("Cached input tokens\\s*[0-9]", await details.InnerTextAsync());
        await browser.ScreenshotAsync("workflow-genai-span");
        await page.GotoAsync($"{mesh.App.Dashboard.UiUrl}/mesh");
        await Expect(page.Locator("[data-testid=workflow-runs]")).ToContainTextAsync("sub-question 1");
        await browser.ScreenshotAsync("workflow-mesh-page");
    });

    private async Task<HttpClient> LoggedInDashboardAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(mesh.App.Dashboard!.UiUrl) };
        using var login = await client.GetAsync(mesh.App.Dashboard.LoginUrl);
        login.EnsureSuccessStatusCode();
        return client;
    }
}
