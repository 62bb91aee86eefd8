using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>The sampling and streaming fields that chat completions and completions share.</summary>
public abstract class GenerationRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("max_tokens")]
    public int? MaxTokens { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    [JsonPropertyName("temperature")]
    public float? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public float? TopP { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("stop")]
    [JsonConverter(typeof(StopSequencesConverter))]
    public string[]? Stop { get; set; }

    [JsonPropertyName("n")]
    public int? N { get; set; }

    [JsonPropertyName("stream")]
    [JsonConverter(typeof(NullAsFalseConverter))]
    public bool Stream { get; set; }

    [JsonPropertyName("stream_options")]
    public StreamOptions? StreamOptions { get; set; }

    [JsonPropertyName("user")]
    public string? User { get; set; }

    /// <summary>
    /// Every other field, kept as sent: forwarded unchanged to backends that take it (a cloud provider), and named in a
    /// 400 by a Mesh engine that cannot honour it (see <see cref="EngineSupport"/>).
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }

    /// <summary><c>max_completion_tokens</c> wins over the older <c>max_tokens</c> when both are given.</summary>
    [JsonIgnore]
    public int? RequestedMaxTokens => MaxCompletionTokens ?? MaxTokens;

    [JsonIgnore]
    public bool IncludeUsage => StreamOptions?.IncludeUsage == true;
}

public sealed class StreamOptions
{
    [JsonPropertyName("include_usage")]
    [JsonConverter(typeof(NullAsFalseConverter))]
    public bool IncludeUsage { get; set; }
}

public sealed class ChatCompletionRequest : GenerationRequest
{
    [JsonPropertyName("messages")]
    public List<ChatMessage>? Messages { get; set; }
}

public sealed class CompletionRequest : GenerationRequest
{
    [JsonPropertyName("prompt")]
    [JsonConverter(typeof(PromptConverter))]
    public CompletionPrompt? Prompt { get; set; }
}
