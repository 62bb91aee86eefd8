using Mesh.Contracts.OpenAI;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Api;

/// <summary>A validated request, ready for the scheduler.</summary>
public sealed record GenerationPlan(
    CompletionKind Kind,
    int[] Prompt,
    int MaxNewTokens,
    SamplingParameters Sampling,
    IReadOnlyList<string>? Stop,
    bool Stream,
    bool IncludeUsage,
    bool IncludeTokenIds,
    string? User);
