namespace Mesh.Contracts.Telemetry;

/// <summary>HTTP headers the mesh adds or reads.</summary>
public static class MeshHeaders
{
    public const string RequestId = "x-mesh-request-id";

    /// <summary>The request id as OpenAI sends it (the SDKs record it with each response); the same value as <see cref="RequestId"/>.</summary>
    public const string OpenAIRequestId = "x-request-id";
    public const string Engine = "x-mesh-engine";

    // Sent by the coordinator with its first token, so a client learns why the request went where it went before the end.
    public const string Tier = "x-mesh-tier";
    public const string Reason = "x-mesh-reason";
    public const string TimeToFirstTokenMs = "x-mesh-ttft-ms";
    public const string Policy = "x-mesh-policy";
    public const string TierPolicy = "x-mesh-tier-policy";

    // Sent by an engine when its first token is ready, so the caller learns what the prefill cost (the coordinator passes
    // CachedTokens on to its client too).
    public const string EngineId = "x-mesh-engine-id";
    public const string EngineEpoch = "x-mesh-engine-epoch";
    public const string PromptTokens = "x-mesh-prompt-tokens";
    public const string CachedTokens = "x-mesh-cached-tokens";
    public const string QueueMs = "x-mesh-queue-ms";
    public const string PrefillMs = "x-mesh-prefill-ms";
    public const string Seed = "x-mesh-seed";

    /// <summary>The key a coordinator's operations need (drain an engine, change the default policy), derived from the mesh secret.</summary>
    public const string AdminKey = "x-mesh-admin-key";

    /// <summary>Asks an engine to add <c>mesh.token_ids</c> to each stream chunk (the coordinator needs them to migrate a stream).</summary>
    public const string IncludeTokenIds = "x-mesh-token-ids";
}
