using System.Text.Json.Serialization;

namespace Mesh.Workflow;

/// <summary>One step of a run, with what the mesh reported for it (MoFA's per-step figures).</summary>
public sealed record StepResult(
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("tier_policy")] string TierPolicy,
    [property: JsonPropertyName("engine")] string? Engine,
    [property: JsonPropertyName("tier")] string? Tier,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("cached_tokens")] int CachedTokens,
    [property: JsonPropertyName("time_to_first_token_ms")] double? TimeToFirstTokenMs,
    [property: JsonPropertyName("tokens")] int Tokens,
    [property: JsonPropertyName("tokens_per_second")] double TokensPerSecond,
    [property: JsonPropertyName("total_time_ms")] double TotalTimeMs,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("request_id")] string? RequestId);

/// <summary>A whole run: its steps in order and the trace that holds them.</summary>
public sealed record WorkflowRun(
    [property: JsonPropertyName("question")] string Question,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("steps")] IReadOnlyList<StepResult> Steps,
    [property: JsonPropertyName("total_time_ms")] double TotalTimeMs);

public sealed record WorkflowRequest([property: JsonPropertyName("question")] string? Question);

[JsonSerializable(typeof(WorkflowRun))]
[JsonSerializable(typeof(WorkflowRequest))]
[JsonSerializable(typeof(StepResult))]
public sealed partial class WorkflowJsonContext : JsonSerializerContext;
