using System.Text.Json.Serialization.Metadata;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Forwarding;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;
using Mesh.Coordinator.Validation;

namespace Mesh.Coordinator.Api;

/// <summary>
/// A completion's way through the coordinator, and nothing else: validate and tokenize (<see cref="CompletionRequestReader"/>),
/// route (<see cref="Router"/>), forward with failover (<see cref="FailoverLoop"/>, whose observers learn from each attempt),
/// and report it all once (<see cref="RequestTelemetry"/>).
/// </summary>
internal sealed class CompletionPipeline(
    CompletionRequestReader reader,
    Router router,
    FailoverLoop failover,
    RequestTelemetry telemetry,
    TimeProvider time)
{
    public async Task HandleAsync<TRequest>(HttpContext context, JsonTypeInfo<TRequest> typeInfo, CompletionKind kind)
        where TRequest : GenerationRequest
    {
        var requestId = "req_" + Guid.NewGuid().ToString("N")[..20];
        context.Response.Headers[MeshHeaders.RequestId] = requestId;
        context.Response.Headers[MeshHeaders.OpenAIRequestId] = requestId;
        using var trace = telemetry.Start(requestId);
        var aborted = context.RequestAborted;

        CompletionContext? request;
        ApiError? error;
        using (var stage = trace.Begin(TraceStages.WorkflowStart))
        {
            (request, error) = await reader.ReadAsync(context, typeInfo, kind, requestId);
            stage.Detail = request is null
                ? $"rejected: {error!.Error.Message}"
                : $"model={request.Model} prompt_tokens={request.PromptTokens.Length} blocks={request.BlockHashes.Length} max_tokens={request.MaxTokens} stream={request.ClientStream}";
        }
        if (request is null)
        {
            telemetry.Rejected(trace, error!);
            await ApiErrorResult.WriteAsync(context.Response, error!, aborted);
            return;
        }
        RequestTelemetry.Accepted(trace, request);

        var header = new CompletionHeader(
            kind, (kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + requestId, time.GetUtcNow().ToUnixTimeSeconds(), request.Model);
        using var client = new ClientResponse(context, header, request.ClientStream, request.IncludeUsage);
        RequestRun? run = null;
        var outcome = "error";
        try
        {
            RoutingDecision decision;
            using (var stage = trace.Begin(TraceStages.RouterBackendSelection))
            {
                var started = time.GetTimestamp();
                decision = await router.DecideAsync(request.Policy, request.TierPolicy, request.Model, request.PromptTokens.Length,
                    request.BlockHashes, aborted, request.StaticBackendsOnly);
                telemetry.Decided(trace, stage, request, decision, time.GetElapsedTime(started));
            }
            run = new RequestRun(request, trace, client, decision.Reason, time);
            outcome = await failover.RunAsync(run, decision, aborted);
        }
        finally
        {
            var summary = run?.Summarize(outcome) ?? new RequestOutcome(outcome, null, null, request.Model, [], null, 0, 0, 0, null);
            telemetry.Completed(trace, request, summary, header.Id);
        }
    }
}
