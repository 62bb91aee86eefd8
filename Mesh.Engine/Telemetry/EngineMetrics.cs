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

    public EngineMetrics(IMeterFactory meterFactory, EngineStatistics statistics)
    {
        var meter = meterFactory.Create(MetricNames.EngineMeter);
        _promptTokens = meter.CreateCounter<long>("engine_prompt_tokens", "{token}", "Prompt tokens admitted.");
        _cachedPromptTokens = meter.CreateCounter<long>("engine_cached_prompt_tokens", "{token}", "Prompt tokens served from the prefix cache.");
        _generatedTokens = meter.CreateCounter<long>("engine_generated_tokens", "{token}", "Tokens generated.");
        _requests = meter.CreateCounter<long>("engine_requests", "{request}", "Finished requests by finish reason.");
        _preemptions = meter.CreateCounter<long>("engine_preemptions", "{sequence}", "Sequences preempted for KV space.");
        _timeToFirstToken = meter.CreateHistogram<double>("engine_time_to_first_token", "s", "Enqueue to first token.");
        _queueTime = meter.CreateHistogram<double>("engine_queue_time", "s", "Enqueue to admission.");
        _decodeBatchSize = meter.CreateHistogram<int>("engine_decode_batch_size", "{sequence}", "Sequences per decode step.");

        meter.CreateObservableGauge("engine_kv_blocks_used", () => statistics.KvBlocksUsed, "{block}", "KV blocks held by sequences.");
        meter.CreateObservableGauge("engine_kv_blocks_cached", () => statistics.KvBlocksCached, "{block}", "Reusable KV blocks no sequence holds.");
        meter.CreateObservableGauge("engine_kv_blocks_total", () => statistics.KvBlocksTotal, "{block}", "KV-cache capacity.");
        meter.CreateObservableGauge("engine_running_sequences", () => statistics.Running, "{sequence}", "Sequences being computed.");
        meter.CreateObservableGauge("engine_waiting_sequences", () => statistics.Waiting, "{sequence}", "Sequences waiting for a slot.");
        meter.CreateObservableGauge("engine_prefill_tokens_per_second", () => statistics.PrefillTokensPerSecond, "{token}/s", "Measured prefill speed.");
        meter.CreateObservableGauge("engine_decode_tokens_per_second", () => statistics.DecodeTokensPerSecond, "{token}/s", "Measured decode throughput.");
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

    public void Finished(string reason) => _requests.Add(1, new KeyValuePair<string, object?>("finish_reason", reason));
}
