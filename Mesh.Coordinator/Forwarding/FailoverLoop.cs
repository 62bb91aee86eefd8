using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// Tries the router's candidates in order until the generation finishes. Nothing accepted is lost that can still be
/// served: a failure before the first token moves to the next candidate (bounded per tier by <see cref="TierAttempts"/>),
/// a stream that breaks after it is continued on another engine from the tokens already sent, and a mesh where every
/// engine is busy is waited on briefly (the router asked again) before a 429. What each attempt teaches about the
/// engines is the observers' business.
/// </summary>
internal sealed partial class FailoverLoop(
    Router router,
    IEngineForwarder forwarder,
    IEnumerable<IAttemptObserver> observers,
    RequestTelemetry telemetry,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<FailoverLoop> logger)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IAttemptObserver[] _observers = [.. observers];
    private readonly CoordinatorOptions _options = options.Value;

    /// <summary>Serves the request from <paramref name="decision"/>'s candidates; returns the outcome for the telemetry.</summary>
    public async Task<string> RunAsync(RequestRun run, RoutingDecision decision, CancellationToken aborted)
    {
        var request = run.Request;
        var pending = new Queue<Candidate>(decision.Ranked);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var tiers = new TierAttempts(request.TierPolicy, _options.MaxAttempts);
        var queueDeadline = time.GetUtcNow() + _options.QueueTimeout;
        var onlyBusy = true;
        var anyCandidate = decision.Ranked.Count > 0;
        run.BeginInference();
        while (true)
        {
            var candidate = Next(pending, tried, tiers);
            if (candidate is null)
            {
                if (tiers.ExhaustedWithNoneLeft(tried.Count > 0))
                {
                    telemetry.Exhausted(run.Trace, request, cloudTakesOver: false);
                }
                if (onlyBusy && !run.Started && time.GetUtcNow() < queueDeadline)
                {
                    // Every engine is busy, none broken: wait briefly for a slot rather than answering at once.
                    await Task.Delay(QueuePollInterval, time, aborted);
                    var again = await router.DecideAsync(request.Policy, request.TierPolicy, request.Model, request.PromptTokens.Length,
                        request.BlockHashes, aborted, request.StaticBackendsOnly);
                    pending = new Queue<Candidate>(again.Ranked);
                    anyCandidate = again.Ranked.Count > 0;
                    tried.Clear();
                    tiers.Reset();
                    continue;
                }
                return await GiveUpAsync(run, busy: onlyBusy && !run.Started && anyCandidate, aborted);
            }
            tried.Add(candidate.Id);
            if (tiers.CloudTakesOver(candidate.Engine.Tier))
            {
                telemetry.Exhausted(run.Trace, request, cloudTakesOver: true);
            }
            candidate.Engine.Enter();
            try
            {
                switch (await AttemptAsync(run, candidate, aborted))
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
                candidate.Engine.Leave();
            }
        }
    }

    /// <summary>The next untried candidate that can take a request now, within its tier's attempts.</summary>
    private static Candidate? Next(Queue<Candidate> pending, HashSet<string> tried, TierAttempts tiers)
    {
        while (pending.TryDequeue(out var candidate))
        {
            var engine = candidate.Engine;
            if (!tried.Contains(candidate.Id) && tiers.HasAttemptLeft(engine.Tier) && !engine.IsFull && engine.Breaker.TryAcquire())
            {
                tiers.Take(engine.Tier);
                return candidate;
            }
        }
        return null;
    }

    private async Task<AttemptResult> AttemptAsync(RequestRun run, Candidate candidate, CancellationToken aborted)
    {
        var engine = candidate.Engine;
        var attempt = new Attempt(run.Request, run.Trace, candidate, Continuing: run.Generated.Count > 0, Replacement: run.ServedBy.Count > 0, time.GetTimestamp());
        var (path, body) = EngineRequestBodies.For(run.Request, engine, run.Generated);
        run.Attempting();
        foreach (var observer in _observers)
        {
            observer.OnSending(attempt);
        }
        ForwardOutcome outcome;
        try
        {
            outcome = await forwarder.SendAsync(engine, path, body, _options.FirstTokenTimeout, aborted);
        }
        finally
        {
            foreach (var observer in _observers)
            {
                observer.OnSent(attempt);
            }
        }
        if (outcome.Stream is null)
        {
            return await NotStartedAsync(run, attempt, outcome, aborted);
        }
        await using var stream = outcome.Stream;
        if (attempt.Continuing)
        {
            telemetry.Migrated(run.ServedBy[^1], engine.Id);
        }
        run.StreamStarted(engine, attempt.StartedAt, stream.CachedTokens, attempt.Continuing);
        if (!attempt.Continuing)
        {
            telemetry.Served(run.Trace, run.Request, engine, run.CachedTokens);
        }
        foreach (var observer in _observers)
        {
            await observer.OnStartedAsync(attempt, stream);
        }
        try
        {
            await StreamRelay.RelayAsync(run, engine, stream, aborted);
        }
        catch (EngineStreamBrokenException ex)
        {
            Failed(attempt, EngineFailure.StreamBroken);
            run.LastFailure = $"{engine.Id}: {ex.Message}";
            LogStreamBroken(engine.Id, run.Generated.Count, ex.Message);
            return engine.IsStatic || run.Unmigratable ? AttemptResult.CannotContinue : AttemptResult.Failed;
        }
        var elapsed = time.GetElapsedTime(attempt.StartedAt);
        foreach (var observer in _observers)
        {
            observer.OnFinished(attempt, elapsed);
        }
        await run.CompleteAsync(aborted);
        return AttemptResult.Finished;
    }

    private async Task<AttemptResult> NotStartedAsync(RequestRun run, Attempt attempt, ForwardOutcome outcome, CancellationToken aborted)
    {
        var failure = outcome.Failure!.Value;
        run.LastFailure = $"{attempt.Engine.Id}: {failure} {outcome.Detail}";
        LogAttemptFailed(attempt.Engine.Id, failure, outcome.Detail);
        Failed(attempt, failure);
        switch (failure)
        {
            case EngineFailure.Saturated:
                return AttemptResult.Busy;
            case EngineFailure.Refused when !run.Started:
                // The engine refused the request itself (a 4xx): another engine would too; pass its answer on.
                await run.Client.FailAsync(ParseError(outcome.Detail, outcome.StatusCode ?? 400), aborted);
                return AttemptResult.Rejected;
            default:
                return AttemptResult.Failed;
        }
    }

    private void Failed(Attempt attempt, EngineFailure failure)
    {
        foreach (var observer in _observers)
        {
            observer.OnFailed(attempt, failure);
        }
    }

    private static async Task<string> GiveUpAsync(RequestRun run, bool busy, CancellationToken aborted)
    {
        if (busy)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {EngineId} failed before the first token ({Failure}: {Detail}); trying the next.")]
    private partial void LogAttemptFailed(string engineId, EngineFailure failure, string? detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {EngineId} broke off after {Tokens} tokens ({Reason}); continuing elsewhere.")]
    private partial void LogStreamBroken(string engineId, int tokens, string reason);
}
