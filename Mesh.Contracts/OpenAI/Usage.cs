namespace Mesh.Contracts.OpenAI;

/// <summary>Token counts of one request; <see cref="CachedTokens"/> are prompt tokens served from the KV cache.</summary>
public readonly record struct Usage(int PromptTokens, int CompletionTokens, int CachedTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
