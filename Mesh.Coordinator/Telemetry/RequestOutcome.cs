namespace Mesh.Coordinator.Telemetry;

/// <summary>How a request ended, summed up once for its span, its histograms and its trace document.</summary>
internal sealed record RequestOutcome(
    string Outcome,
    string? Engine,
    string? Tier,
    string ResponseModel,
    IReadOnlyList<string> ServedBy,
    RequestFigures? Figures,
    int InputTokens,
    int OutputTokens,
    int CachedTokens,
    string? FinishReason);
