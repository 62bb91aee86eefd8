namespace Mesh.Contracts.Telemetry;

/// <summary>
/// Instrument names as OpenTelemetry records them. A Prometheus scrape adds <c>_total</c> to counters and
/// <c>_seconds</c> to histograms in seconds, which gives the names of DESIGN.md.
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

    // Per-request figures (MoFA's names), histograms by policy and backend.
    public const string LatencyMs = "latency_ms";
    public const string TimeToFirstTokenMs = "time_to_first_token_ms";
    public const string TokensStreamed = "tokens_streamed";
    public const string TokensPerSecond = "tokens_per_second";
    public const string TotalTimeMs = "total_time_ms";

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
