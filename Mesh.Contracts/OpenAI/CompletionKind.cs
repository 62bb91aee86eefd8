namespace Mesh.Contracts.OpenAI;

/// <summary>Which OpenAI endpoint a response belongs to; it decides the object names and the choice shape.</summary>
public enum CompletionKind
{
    Chat,
    Text,
}

/// <summary>The fields every response and chunk of one request repeats.</summary>
public readonly record struct CompletionHeader(CompletionKind Kind, string Id, long Created, string Model)
{
    public string ObjectName => Kind == CompletionKind.Chat ? "chat.completion" : "text_completion";

    public string ChunkObjectName => Kind == CompletionKind.Chat ? "chat.completion.chunk" : "text_completion";
}
