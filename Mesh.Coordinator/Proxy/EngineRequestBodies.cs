using System.Text.Json;
using Mesh.Contracts.OpenAI;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// The bodies the coordinator sends upstream, always streamed with usage (the coordinator measures the time to first
/// token and relays chunks as they come, whatever the client asked):
/// - to a Mesh engine, the client's request with the model, length and seed resolved: the seed makes a stream that
///   breaks continuable on another engine, token for token;
/// - to a static backend (a cloud provider), the client's request as sent, every field it did not interpret included,
///   with only the model name rewritten when the backend names it differently;
/// - to continue a broken stream elsewhere, a completion over the prompt and the tokens already sent.
/// </summary>
public static class EngineRequestBodies
{
    private static readonly StreamOptions WithUsage = new() { IncludeUsage = true };

    public static byte[] Forward(GenerationRequest request, string model, int? maxTokens, int? maxCompletionTokens, long? seed)
    {
        request.Model = model;
        request.Stream = true;
        request.StreamOptions = WithUsage;
        request.MaxTokens = maxTokens;
        request.MaxCompletionTokens = maxCompletionTokens;
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
