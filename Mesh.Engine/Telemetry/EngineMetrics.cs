using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;

namespace Mesh.Engine.Telemetry;

/// <summary>The engine's instruments, created once from the host's <see cref="IMeterFactory"/>.</summary>
public sealed class EngineMetrics
{
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedPromptTokens;
    private readonly Counter<long> _generatedTokens;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _preemptions;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _queueTime;
    private readonly Histogram<int> _decodeBatchSize;
    private readonly Histogram<double> _genAiRequestDuration;
    private readonly Histogram<double> _genAiTimeToFirstToken;
    private readonly Histogram<double> _genAiTimePerOutputToken;

    public EngineMetrics(IMeterFactory meterFactory, EngineStatistics statistics)
    {
        var meter = meterFactory.Create(MetricNames.EngineMeter);
        _promptTokens = meter.CreateCounter<long>(MetricNames.EnginePromptTokens, "{token}", "Prompt tokens admitted.");
        _cachedPromptTokens = meter.CreateCounter<long>(MetricNames.EngineCachedPromptTokens, "{token}", "Prompt tokens served from the prefix cache.");
        _generatedTokens = meter.CreateCounter<long>(MetricNames.EngineGeneratedTokens, "{token}", "Tokens generated.");
        _requests = meter.CreateCounter<long>(MetricNames.EngineRequests, "{request}", "Finished requests by finish reason.");
        _preemptions = meter.CreateCounter<long>(MetricNames.EnginePreemptions, "{sequence}", "Sequences preempted for KV space.");
        _timeToFirstToken = meter.CreateHistogram<double>(MetricNames.EngineTimeToFirstToken, "s", "Enqueue to first token.");
        _queueTime = meter.CreateHistogram<double>(MetricNames.EngineQueueTime, "s", "Enqueue to admission.");
        _decodeBatchSize = meter.CreateHistogram<int>(MetricNames.EngineDecodeBatchSize, "{sequence}", "Sequences per decode step.");

        _genAiRequestDuration = meter.CreateHistogram(GenAiConventions.ServerRequestDurationMetric, "s", "Duration of each request, queue included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });
        _genAiTimeToFirstToken = meter.CreateHistogram(GenAiConventions.ServerTimeToFirstTokenMetric, "s", "Time to the first output token, queue included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.TimeToFirstTokenBuckets });
        _genAiTimePerOutputToken = meter.CreateHistogram(GenAiConventions.ServerTimePerOutputTokenMetric, "s", "Time per output token after the first.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.TimePerOutputTokenBuckets });

        meter.CreateObservableGauge(MetricNames.EngineKvBlocksUsed, () => statistics.KvBlocksUsed, "{block}", "KV blocks held by sequences.");
        meter.CreateObservableGauge(MetricNames.EngineKvBlocksCached, () => statistics.KvBlocksCached, "{block}", "Reusable KV blocks no sequence holds.");
        meter.CreateObservableGauge(MetricNames.EngineKvBlocksCapacity, () => statistics.KvBlocksTotal, "{block}", "KV-cache capacity.");
        meter.CreateObservableGauge(MetricNames.EngineRunningSequences, () => statistics.Running, "{sequence}", "Sequences being computed.");
        meter.CreateObservableGauge(MetricNames.EngineWaitingSequences, () => statistics.Waiting, "{sequence}", "Sequences waiting for a slot.");
        meter.CreateObservableGauge(MetricNames.EnginePrefillTokensPerSecond, () => statistics.PrefillTokensPerSecond, "{token}/s", "Measured prefill speed.");
        meter.CreateObservableGauge(MetricNames.EngineDecodeTokensPerSecond, () => statistics.DecodeTokensPerSecond, "{token}/s", "Measured decode throughput.");
    }

    public void Admitted(int promptTokens, int cachedTokens, double queueSeconds)
    {
        _promptTokens.Add(promptTokens);
        _cachedPromptTokens.Add(cachedTokens);
        _queueTime.Record(queueSeconds);
    }

    public void FirstToken(double seconds) => _timeToFirstToken.Record(seconds);

    public void Generated(int tokens) => _generatedTokens.Add(tokens);

    public void DecodeStep(int sequences) => _decodeBatchSize.Record(sequences);

    public void Preempted() => _preemptions.Add(1);

    /// <summary>The GenAI conventions' server metrics for one request.</summary>
    public void GenAiRequest(string operation, string model, double seconds, double? timeToFirstToken, double? timePerOutputToken, bool failed)
    {
        var tags = new System.Diagnostics.TagList
        {
            { GenAiConventions.OperationName, operation },
            { GenAiConventions.ProviderName, GenAiConventions.MeshProvider },
            { GenAiConventions.RequestModel, model },
            { GenAiConventions.ResponseModel, model },
        };
        if (failed)
        {
            tags.Add("error.type", "engine_error");
        }
        _genAiRequestDuration.Record(seconds, tags);
        if (timeToFirstToken is { } ttft)
        {
            _genAiTimeToFirstToken.Record(ttft, tags);
        }
        if (timePerOutputToken is { } tpot)
        {
            _genAiTimePerOutputToken.Record(tpot, tags);
        }
    }

    public void Finished(string reason) => _requests.Add(1, new KeyValuePair<string, object?>("finish_reason", reason));
}
