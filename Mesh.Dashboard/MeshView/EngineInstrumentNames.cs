namespace Mesh.Dashboard.MeshView;

/// <summary>
/// The instruments of an engine replica (its <c>Mesh.Engine</c> meter). A resource that reports any of them is shown as
/// an engine, whatever its meter is called.
/// </summary>
internal static class EngineInstrumentNames
{
    public const string KvBlocksUsed = "engine_kv_blocks_used";
    public const string KvBlocksCached = "engine_kv_blocks_cached";
    public const string KvBlocksTotal = "engine_kv_blocks_total";
    public const string RunningSequences = "engine_running_sequences";
    public const string WaitingSequences = "engine_waiting_sequences";
    public const string PrefillTokensPerSecond = "engine_prefill_tokens_per_second";
    public const string DecodeTokensPerSecond = "engine_decode_tokens_per_second";
    public const string PromptTokens = "engine_prompt_tokens";
    public const string CachedPromptTokens = "engine_cached_prompt_tokens";
    public const string GeneratedTokens = "engine_generated_tokens";
    public const string TimeToFirstToken = "engine_time_to_first_token";

    public static readonly IReadOnlyList<string> All =
    [
        KvBlocksUsed, KvBlocksCached, KvBlocksTotal, RunningSequences, WaitingSequences, PrefillTokensPerSecond,
        DecodeTokensPerSecond, PromptTokens, CachedPromptTokens, GeneratedTokens, TimeToFirstToken,
    ];
}
