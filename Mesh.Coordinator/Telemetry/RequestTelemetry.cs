using System.Diagnostics;
using System.Globalization;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Routing;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Validation;

namespace Mesh.Coordinator.Telemetry;

/// <summary>
/// Everything a request tells its observers, in one place: the <c>mesh.request</c> span and its stages, the GenAI
/// conventions' attributes, the routing counters, the five per-request figures (written once, to the span, the stage,
/// the histograms and the trace document together) and the recent-requests list.
/// </summary>
internal sealed class RequestTelemetry(CoordinatorMetrics metrics, RecentRequests recent, TimeProvider time)
{
    /// <summary>Opens the request's span and trace.</summary>
    public RequestTrace Start(string requestId)
    {
        var activity = CoordinatorActivitySource.Instance.StartActivity(TraceAttributes.RequestSpan, ActivityKind.Internal);
        activity?.SetTag(TraceAttributes.RequestId, requestId);
        return new RequestTrace(requestId, time, activity);
    }

    /// <summary>A client's mistake: counted as such, never against an engine.</summary>
    public void Rejected(RequestTrace trace, ApiError error)
    {
        metrics.InvalidMessage(error.Error.Code ?? error.Error.Type);
        trace.Request?.SetTag(TraceAttributes.Outcome, "invalid").SetStatus(ActivityStatusCode.Error, error.Error.Message);
    }

    public static void Accepted(RequestTrace trace, CompletionContext request)
    {
        trace.Request?.SetTag(TraceAttributes.Model, request.Model).SetTag(TraceAttributes.Policy, request.PolicyName)
            .SetTag(TraceAttributes.TierPolicy, request.TierPolicyName).SetTag(TraceAttributes.PromptTokens, request.PromptTokens.Length)
            .SetTag(GenAiConventions.OperationName, request.Kind == CompletionKind.Chat ? GenAiConventions.ChatOperation : GenAiConventions.TextCompletionOperation)
            .SetTag(GenAiConventions.ProviderName, GenAiConventions.MeshProvider)
            .SetTag(GenAiConventions.RequestModel, request.Model)
            .SetTag(GenAiConventions.RequestStream, request.ClientStream)
            .SetTag(GenAiConventions.RequestMaxTokens, request.MaxTokens);
        using var stage = trace.Begin(TraceStages.RouterPolicy);
        stage.Activity?.SetTag(TraceAttributes.Policy, request.PolicyName).SetTag(TraceAttributes.TierPolicy, request.TierPolicyName);
        stage.Detail = $"policy={request.PolicyName} tier_policy={request.TierPolicyName} model={request.Model}";
    }

    /// <summary>The router's answer, on the backend-selection stage: every candidate with its score, the winner and why.</summary>
    public void Decided(RequestTrace trace, RequestTrace.Stage stage, CompletionContext request, RoutingDecision decision, TimeSpan elapsed)
    {
        metrics.RoutingLatency(elapsed, request.PolicyName);
        var chosen = decision.Chosen;
        CandidateReport[] candidates = [.. decision.Ranked.Select(c => c.ToReport())];
        trace.Decided(decision.Reason, candidates);
        stage.Activity?.SetTag(TraceAttributes.Candidates, CandidateJson.Write(candidates))
            .SetTag(TraceAttributes.PromptBlocks, decision.PromptBlocks)
            .SetTag(TraceAttributes.MatchedBlocks, chosen?.MatchedBlocks ?? 0)
            .SetTag(TraceAttributes.Engine, chosen?.Id)
            .SetTag(TraceAttributes.Tier, chosen?.Engine.TierName)
            .SetTag(TraceAttributes.Reason, decision.Reason)
            .SetTag(TraceAttributes.Policy, request.PolicyName);
        stage.Detail = chosen is null
            ? $"no engine serves {request.Model} under {request.TierPolicyName}"
            : string.Create(CultureInfo.InvariantCulture,
                $"engine={chosen.Id} reason={decision.Reason} matched_blocks={chosen.MatchedBlocks}/{decision.PromptBlocks} predicted_ttft_ms={chosen.ScoreMs:F1} candidates={decision.Ranked.Count}");
        if (chosen is not null)
        {
            metrics.Decision(request.PolicyName, request.TierPolicyName, decision.Reason, chosen.Id, chosen.Engine.TierName);
            trace.Request?.SetTag(TraceAttributes.Reason, decision.Reason).SetTag(TraceAttributes.CacheHit, chosen.MatchedBlocks > 0);
        }
    }

    /// <summary>Every candidate of a tier failed; when the cloud takes over, that is the request's reason from now on.</summary>
    public void Exhausted(RequestTrace trace, CompletionContext request, bool cloudTakesOver)
    {
        metrics.AllEnginesExhausted(request.PolicyName, request.TierPolicyName);
        if (cloudTakesOver)
        {
            trace.Request?.SetTag(TraceAttributes.Reason, TierSelector.CloudFallbackReason);
        }
    }

    /// <summary>The engine serving the request started; a hit counts by what it reports it reused, index or not.</summary>
    public void Served(RequestTrace trace, CompletionContext request, EngineEntry engine, int cachedTokens)
    {
        metrics.CacheLookup(cachedTokens > 0, request.PolicyName, engine.Id, engine.TierName);
        trace.Request?.SetTag(TraceAttributes.CachedTokens, cachedTokens);
    }

    public void Migrated(string from, string to) => metrics.Migrated(from, to);

    /// <summary>The request is over: its figures, outcome and GenAI response attributes, then its trace document.</summary>
    public void Completed(RequestTrace trace, CompletionContext request, RequestOutcome outcome, string responseId)
    {
        using (var stage = trace.Begin(TraceStages.MetricsLatency))
        {
            if (outcome.Figures is { } f)
            {
                SetFigures(stage.Activity, f);
                SetFigures(trace.Request, f);
                metrics.RequestFigures(f, request.PolicyName, outcome.Engine ?? "none", outcome.Tier ?? "none");
                stage.Detail = string.Create(CultureInfo.InvariantCulture,
                    $"latency_ms={f.LatencyMs:F1} time_to_first_token_ms={f.TimeToFirstTokenMs:F1} tokens_streamed={f.TokensStreamed} tokens_per_second={f.TokensPerSecond:F1} total_time_ms={f.TotalTimeMs:F1}");
            }
            else
            {
                stage.Detail = "no tokens were streamed";
            }
        }
        trace.Mark(TraceStages.WorkflowComplete, $"outcome={outcome.Outcome} engines={string.Join(",", outcome.ServedBy)}",
            (TraceAttributes.Outcome, outcome.Outcome));
        trace.Request?.SetTag(TraceAttributes.Outcome, outcome.Outcome).SetTag(TraceAttributes.Engine, outcome.Engine);
        if (trace.Request is { } span && outcome.Engine is not null)
        {
            span.SetTag(GenAiConventions.ResponseId, responseId)
                .SetTag(GenAiConventions.ResponseModel, outcome.ResponseModel)
                .SetTag(GenAiConventions.UsageInputTokens, outcome.InputTokens)
                .SetTag(GenAiConventions.UsageOutputTokens, outcome.OutputTokens)
                .SetTag(GenAiConventions.UsageCacheReadInputTokens, outcome.CachedTokens);
            if (outcome.FinishReason is { } finish)
            {
                span.SetTag(GenAiConventions.ResponseFinishReasons, new[] { finish });
            }
        }
        metrics.ProcessingLatency(trace.Elapsed, request.PolicyName, outcome.Outcome);
        recent.Add(trace.ToDocument(outcome, request.PolicyName, request.TierPolicyName));
    }

    private static void SetFigures(Activity? activity, RequestFigures f) =>
        activity?.SetTag(TraceAttributes.LatencyMs, f.LatencyMs).SetTag(TraceAttributes.TimeToFirstTokenMs, f.TimeToFirstTokenMs)
            .SetTag(TraceAttributes.TokensStreamed, f.TokensStreamed).SetTag(TraceAttributes.TokensPerSecond, f.TokensPerSecond)
            .SetTag(TraceAttributes.TotalTimeMs, f.TotalTimeMs);
}
