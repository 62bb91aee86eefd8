using System.Globalization;
using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// Serves one request end to end: route, call the best engine, stream its tokens to the client, and keep the
/// prefix index and the learned costs up to date. Nothing accepted is lost that can still be served: a failure
/// before the first token moves to the next-best engine (bounded attempts), a stream that breaks after it is
/// continued on another engine from the tokens already sent, the cloud tier takes over when the local one is
/// exhausted (if the tier policy allows), and a busy mesh is waited on briefly before a 503.
/// </summary>
public sealed partial class CompletionProxy(
    Router router,
    EngineRegistry registry,
    IPrefixIndex prefixIndex,
    CoordinatorMetrics metrics,
    RecentRequests recent,
    EngineHttpClient engines,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<CompletionProxy> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly CoordinatorOptions _options = options.Value;

    public async Task ExecuteAsync(CompletionContext request)
    {
        var http = request.Http;
        var aborted = http.RequestAborted;
        var trace = request.Trace;
        var header = new CompletionHeader(
            request.Kind, (request.Kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + request.RequestId, time.GetUtcNow().ToUnixTimeSeconds(), request.Model);
        using var client = new ClientResponse(http, header, request.ClientStream, request.IncludeUsage);
        var run = new StreamRun(request, client, time);
        var outcome = "error";
        try
        {
            using (var stage = trace.Begin(TraceStages.RouterPolicy))
            {
                stage.Activity?.SetTag(TraceAttributes.Policy, request.PolicyName).SetTag(TraceAttributes.TierPolicy, request.TierPolicyName);
                stage.Detail = $"policy={request.PolicyName} tier_policy={request.TierPolicyName} model={request.Model}";
            }
            var decision = await DecideAsync(request, aborted);
            run.Reason = decision.Reason;
            outcome = await RunAsync(request, run, decision, aborted);
        }
        finally
        {
            run.EndStages();
            var figures = run.Figures(trace.Elapsed);
            using (var stage = trace.Begin(TraceStages.MetricsLatency))
            {
                if (figures is { } f)
                {
                    stage.Activity?.SetTag(TraceAttributes.LatencyMs, f.LatencyMs).SetTag(TraceAttributes.TimeToFirstTokenMs, f.TimeToFirstTokenMs)
                        .SetTag(TraceAttributes.TokensStreamed, f.TokensStreamed).SetTag(TraceAttributes.TokensPerSecond, f.TokensPerSecond)
                        .SetTag(TraceAttributes.TotalTimeMs, f.TotalTimeMs);
                    trace.Request?.SetTag(TraceAttributes.LatencyMs, f.LatencyMs).SetTag(TraceAttributes.TimeToFirstTokenMs, f.TimeToFirstTokenMs)
                        .SetTag(TraceAttributes.TokensStreamed, f.TokensStreamed).SetTag(TraceAttributes.TokensPerSecond, f.TokensPerSecond)
                        .SetTag(TraceAttributes.TotalTimeMs, f.TotalTimeMs);
                    metrics.RequestFigures(f, request.PolicyName, run.FirstEngine?.Id ?? "none", run.FirstEngine?.TierName ?? "none");
                    stage.Detail = string.Create(CultureInfo.InvariantCulture,
                        $"latency_ms={f.LatencyMs:F1} time_to_first_token_ms={f.TimeToFirstTokenMs:F1} tokens_streamed={f.TokensStreamed} tokens_per_second={f.TokensPerSecond:F1} total_time_ms={f.TotalTimeMs:F1}");
                }
                else
                {
                    stage.Detail = "no tokens were streamed";
                }
            }
            trace.Mark(TraceStages.WorkflowComplete, $"outcome={outcome} engines={string.Join(",", run.ServedBy)}",
                (TraceAttributes.Outcome, outcome));
            trace.Request?.SetTag(TraceAttributes.Outcome, outcome).SetTag(TraceAttributes.Engine, run.FirstEngine?.Id);
            metrics.ProcessingLatency(trace.Elapsed, request.PolicyName, outcome);
            recent.Add(trace.ToDocument(figures, run.FirstEngine?.Id, request.PolicyName, request.TierPolicyName, outcome));
        }
    }

    private async Task<RoutingDecision> DecideAsync(CompletionContext request, CancellationToken aborted)
    {
        using var stage = request.Trace.Begin(TraceStages.RouterBackendSelection);
        var started = time.GetTimestamp();
        var decision = await router.DecideAsync(request.Policy, request.TierPolicy, request.Model, request.PromptTokens.Length, request.BlockHashes, aborted, request.StaticBackendsOnly);
        metrics.RoutingLatency(time.GetElapsedTime(started), request.PolicyName);
        var chosen = decision.Chosen;
        stage.Activity?.SetTag(TraceAttributes.Candidates, CandidateJson.Write(decision.Ranked))
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
            request.Trace.Request?.SetTag(TraceAttributes.Reason, decision.Reason).SetTag(TraceAttributes.CacheHit, chosen.MatchedBlocks > 0);
        }
        return decision;
    }

    /// <summary>Tries candidates until the generation finishes; returns the outcome for metrics and the trace.</summary>
    private async Task<string> RunAsync(CompletionContext request, StreamRun run, RoutingDecision decision, CancellationToken aborted)
    {
        var pending = new Queue<Candidate>(decision.Ranked);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var queueDeadline = time.GetUtcNow() + _options.QueueTimeout;
        var exhaustedCounted = false;
        var onlyBusy = true;
        var anyCandidate = decision.Ranked.Count > 0;
        run.BeginInference();
        while (true)
        {
            var candidate = NextCandidate(pending, tried, run);
            if (candidate is null)
            {
                if (!exhaustedCounted && tried.Count > 0)
                {
                    exhaustedCounted = true;
                    metrics.AllEnginesExhausted(request.PolicyName, request.TierPolicyName);
                }
                if (onlyBusy && !run.Started && time.GetUtcNow() < queueDeadline)
                {
                    // Every engine is busy, none broken: wait briefly for a slot rather than answering 503 at once.
                    await Task.Delay(QueuePollInterval, time, aborted);
                    var again = await router.DecideAsync(request.Policy, request.TierPolicy, request.Model, request.PromptTokens.Length, request.BlockHashes, aborted, request.StaticBackendsOnly);
                    pending = new Queue<Candidate>(again.Ranked);
                    anyCandidate = again.Ranked.Count > 0;
                    tried.Clear();
                    run.LocalAttempts = 0;
                    run.CloudAttempts = 0;
                    continue;
                }
                if (onlyBusy && !run.Started && anyCandidate)
                {
                    // Every engine that could serve it is working at capacity: the client should come back, not give up.
                    await run.Client.FailAsync(ApiError.TooManyRequests(
                        "Every engine that serves this model is at capacity. Retry after the time in Retry-After.", RetryAfter), aborted);
                    return "busy";
                }
                var message = run.Started
                    ? "The engine serving this stream failed and no other engine could continue it."
                    : "No engine could serve the request: every one that serves this model and tier policy is unreachable or failing. Retry after the time in Retry-After.";
                await run.Client.FailAsync(ApiError.ServiceUnavailable(message, RetryAfter), aborted);
                return run.Started ? "broken" : "unavailable";
            }
            tried.Add(candidate.Id);
            if (candidate.Engine.Tier == Contracts.Registry.EngineTier.Cloud && request.TierPolicy == TierPolicy.LocalFirstWithCloudFallback
                && run.LocalAttempts > 0 && !exhaustedCounted)
            {
                // Every local candidate failed: that is exhaustion, and the cloud tier takes over.
                exhaustedCounted = true;
                metrics.AllEnginesExhausted(request.PolicyName, request.TierPolicyName);
                request.Trace.Request?.SetTag(TraceAttributes.Reason, TierSelector.CloudFallbackReason);
            }
            var engine = candidate.Engine;
            engine.Enter();
            try
            {
                var result = await AttemptAsync(request, run, candidate, aborted);
                switch (result)
                {
                    case AttemptResult.Finished:
                        return run.Migrations > 0 ? "migrated" : "ok";
                    case AttemptResult.Rejected:
                        return "rejected";
                    case AttemptResult.Busy:
                        break;
                    case AttemptResult.CannotContinue:
                        await run.Client.FailAsync(ApiError.ServiceUnavailable(
                            "The backend serving this stream failed and it cannot be continued elsewhere (it reports no token ids).", RetryAfter), aborted);
                        return "broken";
                    default:
                        onlyBusy = false;
                        break;
                }
            }
            finally
            {
                engine.Leave();
            }
        }
    }

    /// <summary>The next untried candidate that can take a request now; each tier gets at most <c>MaxAttempts</c> tries.</summary>
    private Candidate? NextCandidate(Queue<Candidate> pending, HashSet<string> tried, StreamRun run)
    {
        while (pending.TryDequeue(out var candidate))
        {
            var isCloud = candidate.Engine.Tier == Contracts.Registry.EngineTier.Cloud;
            var attemptsLeft = (isCloud ? run.CloudAttempts : run.LocalAttempts) < _options.MaxAttempts;
            if (!tried.Contains(candidate.Id) && attemptsLeft && !candidate.Engine.IsFull && candidate.Engine.Breaker.TryAcquire())
            {
                if (isCloud)
                {
                    run.CloudAttempts++;
                }
                else
                {
                    run.LocalAttempts++;
                }
                return candidate;
            }
        }
        return null;
    }

    private async Task<AttemptResult> AttemptAsync(CompletionContext request, StreamRun run, Candidate candidate, CancellationToken aborted)
    {
        var engine = candidate.Engine;
        var continuing = run.Generated.Count > 0;
        var model = engine.UpstreamModel ?? request.Model;
        var body = continuing
            ? EngineRequestBodies.Continuation(request.Request, model, [.. request.PromptTokens, .. run.Generated], request.MaxTokens - run.Generated.Count, request.Seed)
            : engine.IsStatic
                ? EngineRequestBodies.Forward(request.Request, model, request.ClientMaxTokens, request.ClientMaxCompletionTokens, request.ClientSeed)
                : EngineRequestBodies.Forward(request.Request, model, request.MaxTokens, null, request.Seed);
        var path = continuing || request.Kind == CompletionKind.Text ? "/v1/completions" : "/v1/chat/completions";
        var callStarted = time.GetTimestamp();
        // The routing choice is recorded as the request leaves, not when its prefill is done: requests for the same
        // prefix arriving meanwhile then follow it instead of each prefilling it somewhere else.
        PendingPrefill? pending = !continuing && !engine.IsStatic && run.FirstEngine is null && request.BlockHashes.Length > 0
            ? new PendingPrefill(request.RequestId, request.BlockHashes[0], candidate.UncachedTokens, _options.FirstTokenTimeout)
            : null;
        if (pending is not null)
        {
            // Not awaited: the index write must never hold up the request (it gives up on its own when Redis is away).
            _ = prefixIndex.RecordAsync(engine.Instance, request.BlockHashes, candidate.MatchedBlocks, pending, CancellationToken.None).AsTask();
        }
        engine.AddPendingPrefill(candidate.UncachedTokens);
        EngineCallOutcome outcome;
        try
        {
            outcome = await EngineCall.StartAsync(engines, engine, path, body, _options.FirstTokenTimeout, aborted);
        }
        finally
        {
            engine.AddPendingPrefill(-candidate.UncachedTokens);
            if (pending is { } prefill)
            {
                _ = prefixIndex.CompletePrefillAsync(engine.Instance, prefill, CancellationToken.None).AsTask();
            }
        }
        if (outcome.Call is null)
        {
            return await HandleStartFailureAsync(request, run, engine, outcome, aborted);
        }
        await using var call = outcome.Call;
        var trusted = registry.ValidateReport(engine, call.EngineId, call.EngineEpoch);
        if (continuing)
        {
            metrics.Migrated(run.ServedBy[^1], engine.Id);
            run.Migrations++;
        }
        else
        {
            run.FirstEngine = engine;
            run.FirstCallStarted = callStarted;
            run.CachedTokens = call.CachedTokens ?? 0;
            // Counted by what the engine reports it reused, so a hit routed without the index (Redis away) still counts.
            metrics.CacheLookup(run.CachedTokens > 0, request.PolicyName, engine.Id, engine.TierName);
            request.Trace.Request?.SetTag(TraceAttributes.CachedTokens, run.CachedTokens);
        }
        run.ServedBy.Add(engine.Id);
        if (call.PrefillMs is { } prefillMs && call.PromptTokens is { } prompt)
        {
            engine.LearnPrefill(prefillMs, prompt - (call.CachedTokens ?? 0), _options.Scoring.LearningRate);
        }
        if (trusted && !engine.IsStatic)
        {
            await CheckPredictionAsync(request, candidate, call, continuing || run.ServedBy.Count > 1);
        }
        try
        {
            await RelayAsync(request, run, engine, call, aborted);
            engine.Breaker.RecordSuccess();
            engine.LearnServiceTime(time.GetElapsedTime(callStarted).TotalMilliseconds, _options.Scoring.LearningRate);
            await run.CompleteAsync(aborted);
            return AttemptResult.Finished;
        }
        catch (EngineStreamBrokenException ex)
        {
            engine.Breaker.RecordFailure();
            metrics.EngineUnreachable(engine.Id, engine.TierName, "stream_broken");
            run.LastFailure = $"{engine.Id}: {ex.Message}";
            LogStreamBroken(engine.Id, run.Generated.Count, ex.Message);
            return engine.IsStatic || run.Unmigratable ? AttemptResult.CannotContinue : AttemptResult.Failed;
        }
    }

    private async Task<AttemptResult> HandleStartFailureAsync(
        CompletionContext request, StreamRun run, EngineEntry engine, EngineCallOutcome outcome, CancellationToken aborted)
    {
        run.LastFailure = $"{engine.Id}: {outcome.Failure} {outcome.Detail}";
        LogAttemptFailed(engine.Id, outcome.Failure!.Value, outcome.Detail);
        switch (outcome.Failure)
        {
            case EngineFailure.Saturated:
                return AttemptResult.Busy;
            case EngineFailure.Refused when !run.Started:
                // The engine refused the request itself (a 4xx): another engine would too; pass its answer on.
                var error = ParseError(outcome.Detail, outcome.StatusCode ?? 400);
                await run.Client.FailAsync(error, aborted);
                return AttemptResult.Rejected;
            default:
                engine.Breaker.RecordFailure();
                metrics.EngineUnreachable(engine.Id, engine.TierName, outcome.Failure.ToString()!.ToLowerInvariant());
                return AttemptResult.Failed;
        }
    }

    /// <summary>Relays chunks to the client until the engine finishes the generation.</summary>
    private static async Task RelayAsync(CompletionContext request, StreamRun run, EngineEntry engine, EngineCall call, CancellationToken aborted)
    {
        var chunk = run.Chunk;
        while (await call.ReadAsync(chunk, aborted))
        {
            if (chunk.ErrorMessage is not null)
            {
                throw new EngineStreamBrokenException($"the engine reported: {chunk.ErrorMessage}");
            }
            if (chunk.TokenIds.Count > 0)
            {
                run.Generated.AddRange(chunk.TokenIds);
            }
            else if (chunk.TextLength > 0)
            {
                run.Unmigratable = true; // a backend without token ids: its text cannot be continued elsewhere
            }
            if (chunk.TextLength > 0 || chunk.TokenIds.Count > 0)
            {
                run.FirstToken(engine);
                run.Client.AppendText(chunk.Text);
            }
            if (chunk.Usage is { } usage)
            {
                run.BackendUsage = usage;
            }
            if (chunk.FinishReason is not null)
            {
                run.FinishReason = chunk.FinishReason;
            }
            await run.Client.FlushAsync(aborted);
        }
        if (run.FinishReason is null)
        {
            if (run.Generated.Count >= request.MaxTokens && run.Generated.Count > 0)
            {
                run.FinishReason = FinishReasons.Length;
                return;
            }
            throw new EngineStreamBrokenException("the stream ended without a finish reason");
        }
    }

    /// <summary>
    /// Compares what the index promised with the cached tokens the engine reports. Where the engine had fewer, the
    /// stale metadata is counted and this prompt's entry corrected (one more round trip,
    /// only then). An engine reached by failover or migration gets its record here, now that it holds the prompt.
    /// </summary>
    private async ValueTask CheckPredictionAsync(CompletionContext request, Candidate candidate, EngineCall call, bool notTheRoutingChoice)
    {
        var engine = candidate.Engine;
        var stale = false;
        if (call.CachedTokens is { } observed && !notTheRoutingChoice)
        {
            var predicted = Math.Min(request.PromptTokens.Length, candidate.MatchedBlocks * engine.Heartbeat.BlockSize);
            metrics.Prediction(engine.Id, predicted, observed);
            request.Trace.Request?.SetTag(TraceAttributes.PredictedCachedTokens, predicted);
            // A request that overlapped another one's prefill of the same prefix finds only what that one has computed so far.
            if (observed < predicted && !candidate.PrefillingSamePrefix)
            {
                stale = true;
                metrics.StaleDetected(request.PolicyName, engine.Id, engine.TierName);
                LogStale(engine.Id, predicted, observed);
            }
        }
        if (stale || notTheRoutingChoice)
        {
            var reused = (call.CachedTokens ?? 0) / engine.Heartbeat.BlockSize;
            await prefixIndex.RecordAsync(engine.Instance, request.BlockHashes, reused, null, CancellationToken.None);
        }
    }

    private static ApiError ParseError(string? body, int status)
    {
        try
        {
            if (body is not null && JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ErrorResponse) is { Error: { } error })
            {
                return new ApiError(status, error);
            }
        }
        catch (JsonException)
        {
        }
        return new ApiError(status, new OpenAIError(body ?? "The engine refused the request.", "invalid_request_error", null, null));
    }

    private enum AttemptResult
    {
        Finished,
        Failed,
        Busy,
        Rejected,
        CannotContinue,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {EngineId} failed before the first token ({Failure}: {Detail}); trying the next.")]
    private partial void LogAttemptFailed(string engineId, EngineFailure failure, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {EngineId} broke off after {Tokens} tokens ({Reason}); continuing elsewhere.")]
    private partial void LogStreamBroken(string engineId, int tokens, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stale prefix metadata for {EngineId}: predicted {Predicted} cached tokens, it had {Observed}; its entries are reset.")]
    private partial void LogStale(string engineId, int predicted, int observed);
}
