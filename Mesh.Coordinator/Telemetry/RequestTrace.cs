using System.Diagnostics;
using System.Text.Json.Serialization;
using Mesh.Contracts.Routing;
using Mesh.Contracts.Telemetry;

namespace Mesh.Coordinator.Telemetry;

/// <summary>
/// One request's execution trace, twice: as OpenTelemetry spans (<c>mesh.request</c> with the seven MoFA stages as
/// children) and as MoFA's JSON (<c>{request_id, stages:[{stage, detail, timestamp_ms}], metrics}</c>) kept for
/// <c>GET /v1/mesh/requests/{id}/trace</c>.
/// </summary>
internal sealed class RequestTrace : IDisposable
{
    private readonly List<TraceStage> _stages = new(TraceStages.All.Count);
    private readonly TimeProvider _time;
    private readonly long _startedAt;

    public RequestTrace(string requestId, TimeProvider time, Activity? request)
    {
        RequestId = requestId;
        _time = time;
        _startedAt = time.GetTimestamp();
        StartedUtc = time.GetUtcNow();
        Request = request;
    }

    public string RequestId { get; }

    public DateTimeOffset StartedUtc { get; }

    /// <summary>The <c>mesh.request</c> span (null when nobody listens).</summary>
    public Activity? Request { get; }

    public TimeSpan Elapsed => _time.GetElapsedTime(_startedAt);

    public IReadOnlyList<TraceStage> Stages => _stages;

    /// <summary>Starts a stage span as a child of the request span.</summary>
    public Stage Begin(string stage)
    {
        var activity = CoordinatorActivitySource.Instance.StartActivity(stage, ActivityKind.Internal, Request?.Context ?? default);
        return new Stage(this, stage, activity, _time.GetUtcNow());
    }

    /// <summary>Ends the request span.</summary>
    public void Dispose() => Request?.Dispose();

    /// <summary>A stage that is a moment rather than a span of time.</summary>
    public void Mark(string stage, string detail, params (string Key, object? Value)[] tags)
    {
        using var scope = Begin(stage);
        foreach (var (key, value) in tags)
        {
            scope.Activity?.SetTag(key, value);
        }
        scope.Detail = detail;
    }

    /// <summary>Why the router chose as it did, and every candidate it weighed (best first): the routing view shows them.</summary>
    public (string Reason, IReadOnlyList<CandidateReport> Candidates)? Decision { get; private set; }

    public void Decided(string reason, IReadOnlyList<CandidateReport> candidates) => Decision = (reason, candidates);

    public TraceDocument ToDocument(RequestOutcome outcome, string policy, string tierPolicy) => new(
        RequestId,
        [.. _stages],
        outcome.Figures is { } f ? new TraceMetrics(f.LatencyMs, f.TimeToFirstTokenMs, f.TokensStreamed, f.TokensPerSecond, f.TotalTimeMs) : null,
        outcome.Engine,
        policy,
        tierPolicy,
        outcome.Outcome,
        Request?.TraceId.ToHexString(),
        StartedUtc,
        Decision?.Reason,
        Decision?.Candidates ?? [],
        outcome.InputTokens,
        outcome.CachedTokens);

    /// <summary>An open stage; disposing it ends the span and records the stage with its detail.</summary>
    public sealed class Stage(RequestTrace trace, string name, Activity? activity, DateTimeOffset startedUtc) : IDisposable
    {
        public Activity? Activity { get; } = activity;

        public string Detail { get; set; } = string.Empty;

        public void Dispose()
        {
            trace._stages.Add(new TraceStage(name, Detail, startedUtc.ToUnixTimeMilliseconds(),
                Math.Round((trace._time.GetUtcNow() - startedUtc).TotalMilliseconds, 3)));
            Activity?.Dispose();
        }
    }
}

internal sealed record TraceStage(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("timestamp_ms")] long TimestampMs,
    [property: JsonPropertyName("duration_ms")] double DurationMs);

internal sealed record TraceMetrics(
    [property: JsonPropertyName("latency_ms")] double LatencyMs,
    [property: JsonPropertyName("time_to_first_token_ms")] double TimeToFirstTokenMs,
    [property: JsonPropertyName("tokens_streamed")] int TokensStreamed,
    [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond,
    [property: JsonPropertyName("total_time_ms")] double TotalTimeMs);

/// <summary>MoFA's trace JSON, plus where the request went and the OpenTelemetry trace id to find its spans.</summary>
internal sealed record TraceDocument(
    [property: JsonPropertyName("request_id")] string RequestId,
    [property: JsonPropertyName("stages")] IReadOnlyList<TraceStage> Stages,
    [property: JsonPropertyName("metrics")] TraceMetrics? Metrics,
    [property: JsonPropertyName("engine")] string? Engine,
    [property: JsonPropertyName("policy")] string Policy,
    [property: JsonPropertyName("tier_policy")] string TierPolicy,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("candidates")] IReadOnlyList<CandidateReport> Candidates,
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("cached_tokens")] int CachedTokens);
