using System.Text.Json;
using Mesh.Contracts.OpenAI;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// The bodies the coordinator sends engines: the client's request, always streamed with usage and with the model,
/// length and seed resolved; or, to continue a broken stream elsewhere, a completion over the prompt and the
/// tokens already sent (the same seed makes the continuation draw exactly what the first engine would have).
/// </summary>
public static class EngineRequestBodies
{
    private static readonly StreamOptions WithUsage = new() { IncludeUsage = true };

    public static byte[] Forward(GenerationRequest request, string model, int maxTokens, long seed)
    {
        request.Model = model;
        request.Stream = true;
        request.StreamOptions = WithUsage;
        request.MaxTokens = maxTokens;
        request.MaxCompletionTokens = null;
        request.Seed = seed;
        return request switch
        {
            ChatCompletionRequest chat => JsonSerializer.SerializeToUtf8Bytes(chat, OpenAIJsonContext.Default.ChatCompletionRequest),
            CompletionRequest completion => JsonSerializer.SerializeToUtf8Bytes(completion, OpenAIJsonContext.Default.CompletionRequest),
            _ => throw new ArgumentException($"Unknown request type {request.GetType().Name}.", nameof(request)),
        };
    }

    public static byte[] Continuation(GenerationRequest original, string model, int[] tokens, int remainingTokens, long seed) =>
        JsonSerializer.SerializeToUtf8Bytes(new CompletionRequest
        {
            Model = model,
            Prompt = new CompletionPrompt(null, tokens),
            MaxTokens = remainingTokens,
            Temperature = original.Temperature,
            TopP = original.TopP,
            Seed = seed,
            Stop = original.Stop,
            User = original.User,
            Stream = true,
            StreamOptions = WithUsage,
        }, OpenAIJsonContext.Default.CompletionRequest);
}
