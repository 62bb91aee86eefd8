using System.Net;
using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.AppHost;
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

        // One trace in Aspire's dashboard: the workflow's spans, Semantic Kernel's, the coordinator's seven stages per call, the engines'.
        var spans = await Eventually.MatchAsync(() => mesh.Dashboard.TraceAsync(traceId),
            // The workflow's own root span ends last, so it is exported last: the trace is whole once it is there too.
            t => t.Count(s => s.Name == TraceStages.WorkflowComplete) == steps.Count
                && t.Any(s => s.Name == TraceAttributes.EngineDecodeSpan)
                && t.Any(s => s.Name == "workflow.run"),
            t => $"{t.Count} spans so far");
        Assert.Contains(spans, s => s.Name == "workflow.run" && s.Service == "workflow");
        Assert.Equal(steps.Count, spans.Count(s => s.Name.StartsWith("workflow.step", StringComparison.Ordinal)));
        Assert.Contains(spans, s => s.Scope.StartsWith("Microsoft.SemanticKernel", StringComparison.Ordinal));
        foreach (var stage in TraceStages.All)
        {
            Assert.Equal(steps.Count, spans.Count(s => s.Name == stage && s.Service == "coordinator"));
        }
        Assert.Contains(spans, s => s.Name == TraceAttributes.EnginePrefillSpan && s.Service is "engine" or "cloud");
        Assert.Contains(spans, s => s.Name == "chat mesh-tiny" && s.Attributes.ContainsKey(GenAiConventions.UsageCacheReadInputTokens));
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
}
