using Mesh.Contracts.OpenAI;

namespace Mesh.Contracts.Tokenization;

/// <summary>The prompt token ids of a validated request: chat messages through the chat template, completions as given.</summary>
public static class PromptBuilder
{
    public static int[] Build(MeshTokenizer tokenizer, GenerationRequest request) => request switch
    {
        ChatCompletionRequest chat => ChatTemplate.Render(tokenizer, chat.Messages!.Select(m => (m.Role!, m.Content ?? string.Empty))),
        CompletionRequest { Prompt.TokenIds: { } ids } => ids,
        CompletionRequest completion => tokenizer.Encode(completion.Prompt!.Text!),
        _ => throw new ArgumentException($"Unknown request type {request.GetType().Name}.", nameof(request)),
    };
}
