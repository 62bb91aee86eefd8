namespace Mesh.Contracts.Telemetry;

/// <summary>
/// Span names and attribute keys of the coordinator's request trace, which the dashboard reads back.
/// One trace per request: a <see cref="RequestSpan"/> span with the seven <see cref="TraceStages"/> as child
/// spans; the engine's spans (<see cref="EngineQueueSpan"/>, <see cref="EnginePrefillSpan"/>, <see cref="EngineDecodeSpan"/>) join under
/// <see cref="TraceStages.InferenceStart"/> through W3C <c>traceparent</c>.
/// </summary>
public static class TraceAttributes
{
    public const string CoordinatorSource = "Mesh.Coordinator";
    public const string RequestSpan = "mesh.request";

    public const string EngineSource = "Mesh.Engine";
    public const string EngineQueueSpan = "engine.queue";
    public const string EnginePrefillSpan = "engine.prefill";
    public const string EngineDecodeSpan = "engine.decode";

    // A workflow run (Mesh.Workflow): one workflow.run span, a "workflow.step <name>" span per step, the step's name as
    // WorkflowStep; the mesh page links each step to the routing decision of the request under it.
    public const string WorkflowSource = "Mesh.Workflow";
    public const string WorkflowRunSpan = "workflow.run";
    public const string WorkflowStepSpan = "workflow.step";
    public const string WorkflowStep = "workflow.step";

    public const string RequestId = "mesh.request_id";
    public const string Policy = "mesh.policy";
    public const string TierPolicy = "mesh.tier_policy";
    public const string Engine = "mesh.engine";
    public const string Tier = "mesh.tier";
    public const string Reason = "mesh.reason";
    public const string Model = "mesh.model";

    /// <summary>JSON array: each candidate engine with its predicted time to first token and its inputs.</summary>
    public const string Candidates = "mesh.candidates";
    public const string PromptTokens = "mesh.prompt_tokens";
    public const string CompletionTokens = "mesh.completion_tokens";
    public const string FinishReason = "mesh.finish_reason";
    public const string PromptBlocks = "mesh.prompt_blocks";
    public const string MatchedBlocks = "mesh.matched_blocks";
    public const string PredictedCachedTokens = "mesh.predicted_cached_tokens";
    public const string CachedTokens = "mesh.cached_tokens";
    public const string Attempt = "mesh.attempt";
    public const string Migrated = "mesh.migrated";
    public const string CacheHit = "mesh.cache_hit";
    public const string Outcome = "mesh.outcome";

    public const string LatencyMs = "mesh.latency_ms";
    public const string TimeToFirstTokenMs = "mesh.time_to_first_token_ms";
    public const string TokensStreamed = "mesh.tokens_streamed";
    public const string TokensPerSecond = "mesh.tokens_per_second";
    public const string TotalTimeMs = "mesh.total_time_ms";
}
