using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;
using OpenTelemetry.Exporter;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// What a coordinator and an engine replica send for routed requests, with the names of Mesh.Contracts: a
/// <c>mesh.request</c> trace with the seven MoFA stages and the engine's spans joined under <c>inference.start</c>,
/// the coordinator's routing counters and per-request histograms, the engine's KV-cache gauges. Its ActivitySources and
/// Meters get names of their own (the dashboard goes by span and instrument names), because listeners are process-wide
/// and would otherwise also pick up what other tests record under <c>Mesh.Coordinator</c> or <c>Mesh.Engine</c>.
/// </summary>
public sealed class MeshScenario : IDisposable
{
    public const string ChosenEngine = "engine-abcdefgh";
    public const string OtherEngine = "engine-qrstuvwx";
    public const string CoordinatorInstance = "coordinator-main";
    public const string Policy = "prefix_affinity";
    public const string TierPolicy = "LocalFirstWithCloudFallback";
    public const string Reason = "longest_prefix";

    private readonly ActivitySource _coordinatorSource = new(OtlpTelemetrySender.UniqueName(TraceAttributes.CoordinatorSource));
    private readonly ActivitySource _engineSource = new(OtlpTelemetrySender.UniqueName(MetricNames.EngineMeter));
    private readonly Meter _coordinatorMeter = new(OtlpTelemetrySender.UniqueName(MetricNames.CoordinatorMeter));
    private readonly Meter _engineMeter = new(OtlpTelemetrySender.UniqueName(MetricNames.EngineMeter));
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _routingLatency;

    public MeshScenario(TestDashboard dashboard, OtlpExportProtocol protocol = OtlpExportProtocol.Grpc)
    {
        Coordinator = new OtlpTelemetrySender(dashboard, protocol, "coordinator", CoordinatorInstance, _coordinatorSource.Name, _coordinatorMeter.Name);
        Engine = new OtlpTelemetrySender(dashboard, protocol, "engine", ChosenEngine, _engineSource.Name, _engineMeter.Name);

        _decisions = _coordinatorMeter.CreateCounter<long>(MetricNames.RoutingDecisions, "{decision}");
        _cacheHits = _coordinatorMeter.CreateCounter<long>(MetricNames.RoutingCacheHit, "{decision}");
        _cacheMisses = _coordinatorMeter.CreateCounter<long>(MetricNames.RoutingCacheMiss, "{decision}");
        _stale = _coordinatorMeter.CreateCounter<long>(MetricNames.RoutingStaleDetected, "{decision}");
        _timeToFirstToken = _coordinatorMeter.CreateHistogram<double>(MetricNames.TimeToFirstToken, "s");
        _latency = _coordinatorMeter.CreateHistogram<double>(MetricNames.Latency, "s");
        _routingLatency = _coordinatorMeter.CreateHistogram<double>(MetricNames.RoutingLatency, "s");
        _coordinatorMeter.CreateObservableGauge(MetricNames.ActiveEngines, () => 2, "{engine}");

        _promptTokens = _engineMeter.CreateCounter<long>(MetricNames.EnginePromptTokens, "{token}");
        _cachedPromptTokens = _engineMeter.CreateCounter<long>(MetricNames.EngineCachedPromptTokens, "{token}");
        _engineMeter.CreateObservableGauge(MetricNames.EngineKvBlocksUsed, () => 120, "{block}");
        _engineMeter.CreateObservableGauge(MetricNames.EngineKvBlocksCached, () => 40, "{block}");
        _engineMeter.CreateObservableGauge(MetricNames.EngineKvBlocksCapacity, () => 512, "{block}");
        _engineMeter.CreateObservableGauge(MetricNames.EngineRunningSequences, () => 2, "{sequence}");
        _engineMeter.CreateObservableGauge(MetricNames.EngineWaitingSequences, () => 1, "{sequence}");
        _engineMeter.CreateObservableGauge(MetricNames.EnginePrefillTokensPerSecond, () => 3500.0, "{token}/s");
        _engineMeter.CreateObservableGauge(MetricNames.EngineDecodeTokensPerSecond, () => 180.0, "{token}/s");
    }

    public OtlpTelemetrySender Coordinator { get; }

    public OtlpTelemetrySender Engine { get; }

    public static string CandidatesJson =>
        $$"""[{"engine":"{{ChosenEngine}}","tier":"local","score_ms":12.3,"queue_ms":1.0,"uncached_tokens":40,"matched_blocks":3,"prefill_ms_per_token":0.28,"saturated":false},""" +
        $$"""{"engine":"{{OtherEngine}}","tier":"local","score_ms":48.7,"queue_ms":2.5,"uncached_tokens":168,"matched_blocks":0,"prefill_ms_per_token":0.27,"saturated":false}]""";

    /// <summary>Records one routed request as the coordinator and the engine would; returns its trace id.</summary>
    public ActivityTraceId RecordRequest(string requestId, Microsoft.Extensions.Logging.ILogger? log = null)
    {
        var start = DateTimeOffset.UtcNow.AddMilliseconds(-250);
        using var request = _coordinatorSource.StartActivity(TraceAttributes.RequestSpan, ActivityKind.Server, default(ActivityContext), startTime: start)
            ?? throw new InvalidOperationException("The coordinator's source has no listener.");
        request.SetTag(TraceAttributes.RequestId, requestId);
        request.SetTag(TraceAttributes.Engine, ChosenEngine);
        request.SetTag(TraceAttributes.Policy, Policy);
        request.SetTag(TraceAttributes.TierPolicy, TierPolicy);
        request.SetTag(TraceAttributes.CachedTokens, 48);
        request.SetTag(TraceAttributes.PredictedCachedTokens, 48);
        request.SetTag(TraceAttributes.LatencyMs, 212.5);
        request.SetTag(TraceAttributes.TimeToFirstTokenMs, 31.2);
        request.SetTag(TraceAttributes.TokensStreamed, 32);
        request.SetTag(TraceAttributes.TokensPerSecond, 175.4);
        request.SetTag(TraceAttributes.TotalTimeMs, 230.1);
        if (log is not null)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(log, "Routed {RequestId} to {Engine} ({Reason})", requestId, ChosenEngine, Reason);
        }

        var offsets = new[] { 0, 2, 4, 9, 40, 220, 226 };
        var lengths = new[] { 2, 2, 5, 31, 180, 6, 4 };
        for (var i = 0; i < TraceStages.All.Count; i++)
        {
            var stageStart = start.AddMilliseconds(offsets[i]);
            using var stage = _coordinatorSource.StartActivity(TraceStages.All[i], ActivityKind.Internal, request.Context, startTime: stageStart)!;
            if (TraceStages.All[i] == TraceStages.RouterBackendSelection)
            {
                stage.SetTag(TraceAttributes.Candidates, CandidatesJson);
                stage.SetTag(TraceAttributes.MatchedBlocks, 3);
                stage.SetTag(TraceAttributes.PromptBlocks, 5);
                stage.SetTag(TraceAttributes.Engine, ChosenEngine);
                stage.SetTag(TraceAttributes.Reason, Reason);
                stage.SetTag(TraceAttributes.Policy, Policy);
                stage.SetTag(TraceAttributes.TierPolicy, TierPolicy);
            }
            if (TraceStages.All[i] == TraceStages.InferenceStart)
            {
                RecordEngineSpans(stage.Context, stageStart);
            }
            stage.SetEndTime(stageStart.AddMilliseconds(lengths[i]).UtcDateTime);
        }
        request.SetEndTime(start.AddMilliseconds(230).UtcDateTime);
        return request.TraceId;
    }

    private void RecordEngineSpans(ActivityContext parent, DateTimeOffset inferenceStart)
    {
        (string Name, int Offset, int Length)[] spans = [(TraceAttributes.EngineQueueSpan, 1, 3), (TraceAttributes.EnginePrefillSpan, 4, 25), (TraceAttributes.EngineDecodeSpan, 30, 180)];
        foreach (var (name, offset, length) in spans)
        {
            var spanStart = inferenceStart.AddMilliseconds(offset);
            using var span = _engineSource.StartActivity(name, ActivityKind.Internal, parent, startTime: spanStart)!;
            span.SetTag("mesh.engine", ChosenEngine);
            span.SetEndTime(spanStart.AddMilliseconds(length).UtcDateTime);
        }
    }

    /// <summary>Counts <paramref name="decisions"/> routing decisions (most to the chosen engine, hits) and the engine's tokens.</summary>
    public void RecordRouting(int decisions)
    {
        for (var i = 0; i < decisions; i++)
        {
            var toChosen = i % 4 != 3;
            var engine = toChosen ? ChosenEngine : OtherEngine;
            var tags = new TagList
            {
                { "policy", Policy }, { "tier_policy", TierPolicy }, { "reason", toChosen ? Reason : "least_loaded" },
                { "engine", engine }, { "tier", "local" },
            };
            _decisions.Add(1, tags);
            var cacheTags = new TagList { { "policy", Policy }, { "engine", engine }, { "tier", "local" } };
            if (toChosen)
            {
                _cacheHits.Add(1, cacheTags);
            }
            else
            {
                _cacheMisses.Add(1, cacheTags);
            }
            _timeToFirstToken.Record((20 + i % 30) / 1000.0, new TagList { { "policy", Policy }, { "engine", engine } });
            _latency.Record((150 + i % 100) / 1000.0, new TagList { { "policy", Policy }, { "engine", engine } });
            _routingLatency.Record(0.0004 + (i % 5) * 0.0001, new TagList { { "policy", Policy } });
        }
        _stale.Add(1, new TagList { { "policy", Policy }, { "engine", OtherEngine } });
        _promptTokens.Add(64L * decisions);
        _cachedPromptTokens.Add(48L * decisions);
    }

    public void Flush()
    {
        Coordinator.Flush();
        Engine.Flush();
    }

    public void Dispose()
    {
        Coordinator.Dispose();
        Engine.Dispose();
        _coordinatorSource.Dispose();
        _engineSource.Dispose();
        _coordinatorMeter.Dispose();
        _engineMeter.Dispose();
    }
}
