using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>Source-generated serialization for the request bodies and error bodies.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ModelList))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext;
