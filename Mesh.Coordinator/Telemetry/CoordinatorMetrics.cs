using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Coordinator.Telemetry;

/// <summary>
/// The coordinator's instruments, created once, each with its unit (a Prometheus scrape adds <c>_total</c> to counters and
/// <c>_seconds</c> to instruments in seconds; <c>docs/metrics.md</c> has the table). Routing counters carry <c>policy</c>,
/// <c>engine</c> and <c>tier</c>. Counters are in the scrape from the start with real labels: those without labels at
/// once, the per-engine ones at zero as each engine joins, never as a label-less series beside the labelled ones.
/// </summary>
internal sealed class CoordinatorMetrics
{
    private static readonly double[] SecondsBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] RequestSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly double[] CountBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private readonly Counter<long> _cacheHit;
    private readonly Counter<long> _cacheMiss;
    private readonly Counter<long> _staleDetected;
    private readonly Counter<long> _invalidMessage;
    private readonly Counter<long> _internalError;
    private readonly Counter<long> _unknownSender;
    private readonly Counter<long> _engineUnreachable;
    private readonly Counter<long> _allEnginesExhausted;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _migrations;
    private readonly Counter<long> _predictedCachedTokens;
    private readonly Counter<long> _observedCachedTokens;
    private readonly Histogram<double> _routingLatency;
    private readonly Histogram<double> _processingLatency;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _tokensStreamed;
    private readonly Histogram<double> _tokensPerSecond;
    private readonly Histogram<double> _totalTime;
    private readonly Histogram<double> _predictionError;
    private Func<int> _activeEngines = () => 0;

    public CoordinatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MetricNames.CoordinatorMeter);
        _cacheHit = meter.CreateCounter<long>(MetricNames.RoutingCacheHit, "{request}", "Requests whose engine served part of the prompt from its cache, as it reported.");
        _cacheMiss = meter.CreateCounter<long>(MetricNames.RoutingCacheMiss, "{request}", "Requests whose engine reported no cached prompt tokens.");
        _staleDetected = meter.CreateCounter<long>(MetricNames.RoutingStaleDetected, "{request}", "Metadata promised cached tokens the engine did not have.");
        _invalidMessage = meter.CreateCounter<long>(MetricNames.InvalidMessage, "{request}", "Requests rejected as malformed, by error code.");
        _internalError = meter.CreateCounter<long>(MetricNames.InternalError, "{error}", "Failures of the coordinator's own.");
        _unknownSender = meter.CreateCounter<long>(MetricNames.UnknownSender, "{message}", "Heartbeats or reports that no registered, verified engine instance sent.");
        _engineUnreachable = meter.CreateCounter<long>(MetricNames.EngineUnreachable, "{call}", "Engine calls that failed to connect, timed out or broke off.");
        _allEnginesExhausted = meter.CreateCounter<long>(MetricNames.AllEnginesExhausted, "{request}", "Requests for which every candidate engine failed.");
        _decisions = meter.CreateCounter<long>(MetricNames.RoutingDecisions, "{decision}", "Routing decisions by policy, reason and engine.");
        _migrations = meter.CreateCounter<long>(MetricNames.StreamMigrations, "{stream}", "Streams continued on another engine after theirs failed.");
        _predictedCachedTokens = meter.CreateCounter<long>(MetricNames.PredictedCachedTokens, "{token}", "Cached prompt tokens the index predicted on the chosen engine.");
        _observedCachedTokens = meter.CreateCounter<long>(MetricNames.ObservedCachedTokens, "{token}", "Cached prompt tokens the engine reported using.");
        _predictionError = meter.CreateHistogram(
            MetricNames.PredictionError, "{token}", "Predicted minus observed cached tokens per request (0 is a perfect prediction).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [-256, -64, -16, 0, 16, 64, 256, 1024] });
        _routingLatency = meter.CreateHistogram(MetricNames.RoutingLatency, "s", "Time to pick an engine.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _processingLatency = meter.CreateHistogram(MetricNames.MessageProcessingLatency, "s", "Time to handle one request end to end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _latency = Figure(meter, MetricNames.Latency, "s", "Engine call start to last token (MoFA's latency_ms, in seconds).", RequestSecondsBuckets);
        _timeToFirstToken = Figure(meter, MetricNames.TimeToFirstToken, "s", "Request arrival to first token sent (MoFA's time_to_first_token_ms, in seconds).", RequestSecondsBuckets);
        _tokensStreamed = Figure(meter, MetricNames.TokensStreamed, "{token}", "Completion tokens sent per request.", CountBuckets);
        _tokensPerSecond = Figure(meter, MetricNames.TokensPerSecond, "{token}/s", "Streaming rate after the first token.", CountBuckets);
        _totalTime = Figure(meter, MetricNames.TotalTime, "s", "Request arrival to response complete (MoFA's total_time_ms, in seconds).", RequestSecondsBuckets);
        meter.CreateObservableGauge(MetricNames.ActiveEngines, () => _activeEngines(), "{engine}", "Engines currently routable.");

        _internalError.Add(0);
        foreach (var source in new[] { "heartbeat", "heartbeat_key", "report" })
        {
            _unknownSender.Add(0, new KeyValuePair<string, object?>("source", source));
        }
        _invalidMessage.Add(0, new KeyValuePair<string, object?>("reason", "invalid_request_error"));
    }

    /// <summary>What the active-engines gauge reads.</summary>
    public void ObserveActiveEngines(Func<int> count) => _activeEngines = count;

    /// <summary>Puts an engine's routing counters in the scrape at zero, for each policy, as it joins.</summary>
    public void EngineJoined(string engine, string tier, IEnumerable<string> policies)
    {
        foreach (var policy in policies)
        {
            var tags = Tags(policy, engine, tier);
            _cacheHit.Add(0, tags);
            _cacheMiss.Add(0, tags);
            _staleDetected.Add(0, tags);
            _allEnginesExhausted.Add(0, new("policy", policy), new("tier_policy", Contracts.Routing.TierPolicyNames.LocalFirstWithCloudFallback));
        }
        _engineUnreachable.Add(0, new("engine", engine), new("tier", tier), new("reason", "unreachable"));
    }

    private static Histogram<double> Figure(Meter meter, string name, string unit, string description, double[] buckets) =>
        meter.CreateHistogram(name, unit, description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    public void CacheLookup(bool hit, string policy, string engine, string tier)
    {
        var tags = Tags(policy, engine, tier);
        (hit ? _cacheHit : _cacheMiss).Add(1, tags);
    }

    public void StaleDetected(string policy, string engine, string tier) => _staleDetected.Add(1, Tags(policy, engine, tier));

    public void InvalidMessage(string reason) => _invalidMessage.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void InternalError() => _internalError.Add(1);

    public void UnknownSender(string source) => _unknownSender.Add(1, new KeyValuePair<string, object?>("source", source));

    public void EngineUnreachable(string engine, string tier, string reason) =>
        _engineUnreachable.Add(1, new("engine", engine), new("tier", tier), new("reason", reason));

    public void AllEnginesExhausted(string policy, string tierPolicy) =>
        _allEnginesExhausted.Add(1, new("policy", policy), new("tier_policy", tierPolicy));

    public void Decision(string policy, string tierPolicy, string reason, string engine, string tier) =>
        _decisions.Add(1, new("policy", policy), new("tier_policy", tierPolicy), new("reason", reason), new("engine", engine), new("tier", tier));

    public void Migrated(string from, string to) => _migrations.Add(1, new("from", from), new("engine", to));

    public void Prediction(string engine, int predictedTokens, int observedTokens)
    {
        var tag = new KeyValuePair<string, object?>("engine", engine);
        _predictedCachedTokens.Add(predictedTokens, tag);
        _observedCachedTokens.Add(observedTokens, tag);
        _predictionError.Record(predictedTokens - observedTokens, tag);
    }

    public void RoutingLatency(TimeSpan elapsed, string policy) =>
        _routingLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("policy", policy));

    public void ProcessingLatency(TimeSpan elapsed, string policy, string outcome) =>
        _processingLatency.Record(elapsed.TotalSeconds, new("policy", policy), new("outcome", outcome));

    public void RequestFigures(in RequestFigures figures, string policy, string engine, string tier)
    {
        var tags = Tags(policy, engine, tier);
        _latency.Record(figures.LatencyMs / 1000, tags);
        _timeToFirstToken.Record(figures.TimeToFirstTokenMs / 1000, tags);
        _tokensStreamed.Record(figures.TokensStreamed, tags);
        _tokensPerSecond.Record(figures.TokensPerSecond, tags);
        _totalTime.Record(figures.TotalTimeMs / 1000, tags);
    }

    private static System.Diagnostics.TagList Tags(string policy, string engine, string tier) =>
        new() { { "policy", policy }, { "engine", engine }, { "tier", tier } };
}
