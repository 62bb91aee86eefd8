namespace Mesh.Contracts.Telemetry;

/// <summary>
/// Instrument names as OpenTelemetry records them, for every process that emits or reads them (the coordinator, the
/// engines, the dashboard). A Prometheus scrape adds <c>_total</c> to counters and <c>_seconds</c> to instruments in
/// seconds; <c>docs/metrics.md</c> lists every metric as a scrape shows it.
/// </summary>
public static class MetricNames
{
    public const string CoordinatorMeter = "Mesh.Coordinator";
    public const string EngineMeter = "Mesh.Engine";

    public const string RoutingCacheHit = "routing_cache_hit";
    public const string RoutingCacheMiss = "routing_cache_miss";
    public const string RoutingStaleDetected = "routing_stale_detected";
    public const string InvalidMessage = "coordinator_invalid_message";
    public const string InternalError = "coordinator_internal_error";
    public const string UnknownSender = "coordinator_unknown_sender";
    public const string EngineUnreachable = "coordinator_engine_unreachable";
    public const string AllEnginesExhausted = "coordinator_all_engines_exhausted";
    public const string RoutingLatency = "coordinator_routing_latency";
    public const string MessageProcessingLatency = "coordinator_message_processing_latency";
    public const string ActiveEngines = "coordinator_active_engines";
    public const string RoutingDecisions = "mesh_routing_decisions";
    public const string StreamMigrations = "coordinator_stream_migrations";
    public const string PrefixIndexRoundTrips = "coordinator_prefix_index_round_trips";
    public const string PredictedCachedTokens = "routing_predicted_cached_tokens";
    public const string ObservedCachedTokens = "routing_observed_cached_tokens";
    public const string PredictionError = "routing_prediction_error_tokens";

    // MoFA's per-request figures as metrics: the mesh_ prefix and base units (the response's mesh object and the trace
    // keep MoFA's own names, latency_ms and the others).
    public const string Latency = "mesh_latency";
    public const string TimeToFirstToken = "mesh_time_to_first_token";
    public const string TokensStreamed = "mesh_tokens_streamed";
    public const string TokensPerSecond = "mesh_tokens_per_second";
    public const string TotalTime = "mesh_total_time";

    // The engine's instruments (its Mesh.Engine meter).
    public const string EngineKvBlocksUsed = "engine_kv_blocks_used";
    public const string EngineKvBlocksCached = "engine_kv_blocks_cached";
    public const string EngineKvBlocksCapacity = "engine_kv_blocks_capacity";
    public const string EngineRunningSequences = "engine_running_sequences";
    public const string EngineWaitingSequences = "engine_waiting_sequences";
    public const string EnginePrefillTokensPerSecond = "engine_prefill_tokens_per_second";
    public const string EngineDecodeTokensPerSecond = "engine_decode_tokens_per_second";
    public const string EnginePromptTokens = "engine_prompt_tokens";
    public const string EngineCachedPromptTokens = "engine_cached_prompt_tokens";
    public const string EngineGeneratedTokens = "engine_generated_tokens";
    public const string EngineRequests = "engine_requests";
    public const string EnginePreemptions = "engine_preemptions";
    public const string EngineTimeToFirstToken = "engine_time_to_first_token";
    public const string EngineQueueTime = "engine_queue_time";
    public const string EngineDecodeBatchSize = "engine_decode_batch_size";

    /// <summary>The eleven names exactly as a Prometheus scrape shows them.</summary>
    public static readonly IReadOnlyList<string> PrometheusNames =
    [
        "routing_cache_hit_total",
        "routing_cache_miss_total",
        "routing_stale_detected_total",
        "coordinator_invalid_message_total",
        "coordinator_internal_error_total",
        "coordinator_unknown_sender_total",
        "coordinator_engine_unreachable_total",
        "coordinator_all_engines_exhausted_total",
        "coordinator_routing_latency_seconds",
        "coordinator_message_processing_latency_seconds",
        "coordinator_active_engines",
    ];
}
