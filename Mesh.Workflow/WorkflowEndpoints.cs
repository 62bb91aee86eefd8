using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mesh.Workflow;

/// <summary>
/// <c>POST /workflows/run</c> with <c>{"question": "..."}</c> answers the whole run as JSON; <c>POST /workflows/run/stream</c>
/// answers server-sent events, one per step as it finishes, then the run.
/// </summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/workflows").WithTags("workflow");
        group.MapPost("/run", RunAsync).WithName("RunWorkflow");
        group.MapPost("/run/stream", Stream).WithName("StreamWorkflow");
        return endpoints;
    }

    private static async Task<Results<JsonHttpResult<WorkflowRun>, ApiErrorResult>> RunAsync(
        WorkflowRequest request, ResearchWorkflow workflow, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } error)
        {
            return error;
        }
        return TypedResults.Json(await workflow.RunAsync(request.Question!, null, cancellationToken), WorkflowJsonContext.Default.WorkflowRun);
    }

    private static Results<ServerSentEventsResult<object>, ApiErrorResult> Stream(WorkflowRequest request, ResearchWorkflow workflow, CancellationToken cancellationToken) =>
        Validate(request) is { } error ? error : TypedResults.ServerSentEvents(Events(request.Question!, workflow, cancellationToken));

    /// <summary>The steps as they finish (the workflow writes them to a channel), then the whole run.</summary>
    private static async IAsyncEnumerable<SseItem<object>> Events(string question, ResearchWorkflow workflow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var steps = Channel.CreateUnbounded<StepResult>(new UnboundedChannelOptions { SingleReader = true });
        var running = workflow.RunAsync(question, step => steps.Writer.WriteAsync(step, cancellationToken), cancellationToken);
        _ = running.ContinueWith(t => steps.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        await foreach (var step in steps.Reader.ReadAllAsync(cancellationToken))
        {
            yield return new SseItem<object>(step, "step");
        }
        yield return new SseItem<object>(await running, "run");
    }

    private static ApiErrorResult? Validate(WorkflowRequest request) =>
        string.IsNullOrWhiteSpace(request.Question)
            ? new ApiErrorResult(ApiError.InvalidRequest("Missing required parameter: 'question'.", "question", "missing_required_parameter"))
            : request.Question.Length > 4000
                ? new ApiErrorResult(ApiError.InvalidRequest("'question' is longer than 4,000 characters.", "question", "invalid_value"))
                : null;
}
