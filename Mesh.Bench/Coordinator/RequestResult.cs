namespace Mesh.Bench.Coordinator;

/// <summary>One request of a load run, as the client saw it.</summary>
public sealed record RequestResult(
    double LatencyMs,
    double TimeToFirstTokenMs,
    string? Engine,
    int PromptTokens,
    int CachedTokens,
    int Status,
    string? Error,
    int CompletionTokens = 0);
