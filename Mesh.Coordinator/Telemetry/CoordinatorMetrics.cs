using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Coordinator.Telemetry;

/// <summary>
/// The coordinator's instruments, created once. Names are DESIGN.md's (a Prometheus scrape adds <c>_total</c> and
/// <c>_seconds</c>); routing counters carry <c>policy</c>, <c>engine</c> and <c>tier</c>.
/// </summary>
public sealed class CoordinatorMetrics
{
    private static readonly double[] SecondsBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] MillisecondsBuckets =
        [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

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
    private readonly Counter<long> _prefixIndexRoundTrips;
    private readonly Counter<long> _predictedCachedTokens;
    private readonly Counter<long> _observedCachedTokens;
    private readonly Histogram<double> _routingLatency;
    private readonly Histogram<double> _processingLatency;
    private readonly Histogram<double> _latencyMs;
    private readonly Histogram<double> _timeToFirstTokenMs;
    private readonly Histogram<double> _tokensStreamed;
    private readonly Histogram<double> _tokensPerSecond;
    private readonly Histogram<double> _totalTimeMs;
    private readonly Histogram<double> _predictionError;

    public CoordinatorMetrics(IMeterFactory meterFactory, Registry.EngineRegistry registry)
    {
        var meter = meterFactory.Create(MetricNames.CoordinatorMeter);
        _cacheHit = meter.CreateCounter<long>(MetricNames.RoutingCacheHit, null, "Routing decisions that found a cached prefix on the chosen engine.");
        _cacheMiss = meter.CreateCounter<long>(MetricNames.RoutingCacheMiss, null, "Routing decisions that found none.");
        _staleDetected = meter.CreateCounter<long>(MetricNames.RoutingStaleDetected, null, "Metadata promised cached tokens the engine did not have.");
        _invalidMessage = meter.CreateCounter<long>(MetricNames.InvalidMessage, null, "Requests rejected as malformed.");
        _internalError = meter.CreateCounter<long>(MetricNames.InternalError, null, "Failures of the coordinator's own.");
        _unknownSender = meter.CreateCounter<long>(MetricNames.UnknownSender, null, "Heartbeats or reports from an unknown engine id or epoch.");
        _engineUnreachable = meter.CreateCounter<long>(MetricNames.EngineUnreachable, null, "Engine calls that failed to connect, timed out or broke off.");
        _allEnginesExhausted = meter.CreateCounter<long>(MetricNames.AllEnginesExhausted, null, "Requests for which every candidate engine failed.");
        _decisions = meter.CreateCounter<long>(TraceAttributes.RoutingDecisionsMetric, null, "Routing decisions by policy, reason and engine.");
        _migrations = meter.CreateCounter<long>("coordinator_stream_migrations", null, "Streams continued on another engine after theirs failed.");
        _prefixIndexRoundTrips = meter.CreateCounter<long>("coordinator_prefix_index_round_trips", null, "Round trips to the prefix index, by operation.");
        _predictedCachedTokens = meter.CreateCounter<long>("routing_predicted_cached_tokens", null, "Cached prompt tokens the index predicted on the chosen engine.");
        _observedCachedTokens = meter.CreateCounter<long>("routing_observed_cached_tokens", null, "Cached prompt tokens the engine reported using.");
        _predictionError = meter.CreateHistogram(
            "routing_prediction_error_tokens", (string?)null, "Predicted minus observed cached tokens per request (0 is a perfect prediction).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [-256, -64, -16, 0, 16, 64, 256, 1024] });
        _routingLatency = meter.CreateHistogram(MetricNames.RoutingLatency, "s", "Time to pick an engine.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _processingLatency = meter.CreateHistogram(MetricNames.MessageProcessingLatency, "s", "Time to handle one request end to end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _latencyMs = Figure(meter, MetricNames.LatencyMs, "Engine call start to last token, ms.", MillisecondsBuckets);
        _timeToFirstTokenMs = Figure(meter, MetricNames.TimeToFirstTokenMs, "Request arrival to first token sent, ms.", MillisecondsBuckets);
        _tokensStreamed = Figure(meter, MetricNames.TokensStreamed, "Completion tokens sent per request.", CountBuckets);
        _tokensPerSecond = Figure(meter, MetricNames.TokensPerSecond, "Streaming rate after the first token.", CountBuckets);
        _totalTimeMs = Figure(meter, MetricNames.TotalTimeMs, "Request arrival to response complete, ms.", MillisecondsBuckets);
        meter.CreateObservableGauge(MetricNames.ActiveEngines, () => registry.RoutableCount, null, "Engines currently routable.");

        // Every counter of DESIGN.md is in the scrape from the start, not only after its first event.
        foreach (var counter in new[] { _cacheHit, _cacheMiss, _staleDetected, _invalidMessage, _internalError, _unknownSender, _engineUnreachable, _allEnginesExhausted })
        {
            counter.Add(0);
        }
    }

    private static Histogram<double> Figure(Meter meter, string name, string description, double[] buckets) =>
        meter.CreateHistogram(name, (string?)null, description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

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

    public void PrefixIndexRoundTrip(string operation) => _prefixIndexRoundTrips.Add(1, new KeyValuePair<string, object?>("operation", operation));

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
        _latencyMs.Record(figures.LatencyMs, tags);
        _timeToFirstTokenMs.Record(figures.TimeToFirstTokenMs, tags);
        _tokensStreamed.Record(figures.TokensStreamed, tags);
        _tokensPerSecond.Record(figures.TokensPerSecond, tags);
        _totalTimeMs.Record(figures.TotalTimeMs, tags);
    }

    private static System.Diagnostics.TagList Tags(string policy, string engine, string tier) =>
        new() { { "policy", policy }, { "engine", engine }, { "tier", tier } };
}
