using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

public sealed class ChatMessage
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    /// <summary>A string, or an array of text parts joined in order.</summary>
    [JsonPropertyName("content")]
    [JsonConverter(typeof(MessageContentConverter))]
    public string? Content { get; set; }

    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Other fields of the message (<c>tool_calls</c>, <c>tool_call_id</c>), kept as sent for backends that take them.</summary>
    [JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Extra { get; set; }
}
