using System.Text.Json.Serialization;

namespace Mesh.Contracts.Registry;

/// <summary>
/// An engine's identity and load, as it publishes them to Redis every heartbeat interval. The epoch is new on
/// every start (the start time in Unix milliseconds), so a restarted engine is recognisably a new instance and
/// an older epoch is recognisably stale.
/// </summary>
public sealed record EngineHeartbeat
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("epoch")] public required long Epoch { get; init; }
    [JsonPropertyName("url")] public required string Url { get; init; }
    [JsonPropertyName("tier")] public required string Tier { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("kv_capacity_blocks")] public required int KvCapacityBlocks { get; init; }
    [JsonPropertyName("block_size")] public required int BlockSize { get; init; }
    [JsonPropertyName("context_window")] public required int ContextWindow { get; init; }
    [JsonPropertyName("simulated")] public bool Simulated { get; init; }
    [JsonPropertyName("load")] public required EngineLoad Load { get; init; }
    [JsonPropertyName("sent_at_ms")] public long SentAtUnixMs { get; init; }
}

/// <summary>What an engine is doing right now, and what its work costs it.</summary>
public sealed record EngineLoad
{
    [JsonPropertyName("running")] public int Running { get; init; }
    [JsonPropertyName("waiting")] public int Waiting { get; init; }
    [JsonPropertyName("max_running")] public int MaxRunning { get; init; }
    [JsonPropertyName("max_waiting")] public int MaxWaiting { get; init; }
    [JsonPropertyName("kv_blocks_used")] public int KvBlocksUsed { get; init; }
    [JsonPropertyName("kv_blocks_cached")] public int KvBlocksCached { get; init; }
    /// <summary>Measured milliseconds of prefill per prompt token (an exponential moving average).</summary>
    [JsonPropertyName("prefill_ms_per_token")] public double PrefillMsPerToken { get; init; }
    /// <summary>Measured milliseconds per decode step.</summary>
    [JsonPropertyName("decode_ms_per_step")] public double DecodeMsPerStep { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EngineHeartbeat))]
public sealed partial class RegistryJsonContext : JsonSerializerContext;
