using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Validation;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// The bodies the coordinator sends upstream, always streamed with usage (the coordinator measures the time to first
/// token and relays chunks as they come, whatever the client asked):
/// - to a Mesh engine, the client's request with the model, length and seed resolved: the seed makes a stream that
///   breaks continuable on another engine, token for token;
/// - to a static backend (a cloud provider), the client's request as sent, every field it did not interpret included,
///   with only the model name rewritten when the backend names it differently;
/// - to continue a broken stream elsewhere, a completion over the prompt and the tokens already sent.
/// </summary>
internal static class EngineRequestBodies
{
    private static readonly StreamOptions WithUsage = new() { IncludeUsage = true };

    /// <summary>The path and body of one attempt: continuing from <paramref name="generated"/> when tokens were already sent.</summary>
    public static (string Path, byte[] Body) For(CompletionContext request, EngineEntry engine, IReadOnlyList<int> generated)
    {
        var model = engine.UpstreamModel ?? request.Model;
        if (generated.Count > 0)
        {
            return ("/v1/completions", Continuation(request.Request, model, [.. request.PromptTokens, .. generated], request.MaxTokens - generated.Count, request.Seed));
        }
        var body = engine.IsStatic
            ? Forward(request.Request, model, request.ClientMaxTokens, request.ClientMaxCompletionTokens, request.ClientSeed)
            : Forward(request.Request, model, request.MaxTokens, null, request.Seed);
        return (request.Kind == CompletionKind.Text ? "/v1/completions" : "/v1/chat/completions", body);
    }

    private static byte[] Forward(GenerationRequest request, string model, int? maxTokens, int? maxCompletionTokens, long? seed)
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

    private static byte[] Continuation(GenerationRequest original, string model, int[] tokens, int remainingTokens, long seed) =>
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
