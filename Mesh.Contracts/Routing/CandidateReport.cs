using System.Text.Json.Serialization;

namespace Mesh.Contracts.Routing;

/// <summary>
/// One engine the router weighed for a request, as the <c>mesh.candidates</c> attribute of the
/// <c>router.backend_selection</c> span carries it (a JSON array, best first) and the dashboard reads it. Times are
/// milliseconds: <see cref="ScoreMs"/> = <see cref="PredictedTtftMs"/> + <see cref="CopyMs"/> + <see cref="EvictMs"/>
/// under <c>prefix_aware</c>; the baselines leave the placement terms at zero.
/// </summary>
public sealed record CandidateReport
{
    [JsonPropertyName("engine")] public required string Engine { get; init; }
    [JsonPropertyName("tier")] public string? Tier { get; init; }
    [JsonPropertyName("score_ms")] public double ScoreMs { get; init; }
    [JsonPropertyName("predicted_ttft_ms")] public double PredictedTtftMs { get; init; }
    [JsonPropertyName("queue_ms")] public double QueueMs { get; init; }
    [JsonPropertyName("prefill_ms")] public double PrefillMs { get; init; }
    /// <summary>What a second copy of the best-held prefix would cost the requests that follow it.</summary>
    [JsonPropertyName("copy_ms")] public double CopyMs { get; init; }
    /// <summary>The re-prefill of reused blocks this placement would push out of the engine's cache.</summary>
    [JsonPropertyName("evict_ms")] public double EvictMs { get; init; }
    [JsonPropertyName("matched_blocks")] public int MatchedBlocks { get; init; }
    [JsonPropertyName("cached_tokens")] public int CachedTokens { get; init; }
    [JsonPropertyName("uncached_tokens")] public int UncachedTokens { get; init; }
    [JsonPropertyName("protected_blocks")] public int ProtectedBlocks { get; init; }
    [JsonPropertyName("prefill_ms_per_token")] public double PrefillMsPerToken { get; init; }
    /// <summary>False while the prefill cost is the fleet's median because the engine has not yet measured its own.</summary>
    [JsonPropertyName("cost_learned")] public bool CostLearned { get; init; }
    [JsonPropertyName("load")] public int Load { get; init; }
    [JsonPropertyName("slots")] public int Slots { get; init; }
    [JsonPropertyName("saturated")] public bool Saturated { get; init; }
    [JsonPropertyName("circuit")] public string? Circuit { get; init; }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(CandidateReport[]))]
public sealed partial class CandidateJsonContext : JsonSerializerContext;
