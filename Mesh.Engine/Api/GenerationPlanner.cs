using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Tokenization;
using Mesh.Engine.Inference;
using Mesh.Engine.KvCache;
using Mesh.Engine.Model;
using Microsoft.Extensions.Options;

namespace Mesh.Engine.Api;

/// <summary>Turns a request body into a <see cref="GenerationPlan"/>, or into the error that explains why it cannot be served.</summary>
public sealed class GenerationPlanner(MeshTokenizer tokenizer, ModelInfo model, KvBlockManager blocks, IOptions<EngineOptions> options)
{
    private readonly EngineOptions _options = options.Value;

    public ApiError? TryPlan(GenerationRequest request, bool includeTokenIds, out GenerationPlan? plan)
    {
        plan = null;
        var error = (request switch
        {
            ChatCompletionRequest chat => RequestValidator.Validate(chat),
            CompletionRequest completion => RequestValidator.Validate(completion),
            _ => ApiError.InvalidRequest("Unsupported request."),
        }) ?? EngineSupport.Check(request);
        if (error is not null)
        {
            return error;
        }
        if (request.Model is { Length: > 0 } requested && !string.Equals(requested, model.ServedName, StringComparison.Ordinal))
        {
            return ApiError.ModelNotFound(requested);
        }
        var prompt = PromptBuilder.Build(tokenizer, request);
        error = RequestValidator.ResolveMaxTokens(request, prompt.Length, model.ContextWindow, _options.DefaultMaxTokens, out var maxTokens);
        if (error is not null)
        {
            return error;
        }
        var blocksNeeded = (prompt.Length + maxTokens + _options.BlockSize) / _options.BlockSize;
        if (blocksNeeded > blocks.Capacity)
        {
            return ApiError.ContextLengthExceeded(
                $"The prompt and completion need {blocksNeeded} KV blocks; this engine holds {blocks.Capacity}. Ask for fewer tokens.", "max_tokens");
        }
        var seed = request.Seed is { } s ? unchecked((ulong)s) : (ulong)Random.Shared.NextInt64();
        plan = new GenerationPlan(
            request is ChatCompletionRequest ? CompletionKind.Chat : CompletionKind.Text,
            prompt,
            maxTokens,
            new SamplingParameters(request.Temperature ?? 1f, request.TopP ?? 1f, seed),
            request.Stop,
            request.Stream,
            request.IncludeUsage,
            includeTokenIds,
            request.User);
        return null;
    }
}
