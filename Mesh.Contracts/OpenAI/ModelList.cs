using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>The body of <c>GET /v1/models</c>.</summary>
public sealed record ModelList(
    [property: JsonPropertyName("data")] IReadOnlyList<ModelCard> Data)
{
    [JsonPropertyName("object")]
    public string ObjectType { get; init; } = "list";
}

/// <summary>One served model. <see cref="Mesh"/> says what stands behind it, synthetic weights included.</summary>
public sealed record ModelCard(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy,
    [property: JsonPropertyName("mesh")] ModelDetails? Mesh)
{
    [JsonPropertyName("object")]
    public string ObjectType { get; init; } = "model";
}

public sealed record ModelDetails(
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("simulated")] bool Simulated,
    [property: JsonPropertyName("note")] string Note,
    [property: JsonPropertyName("context_window")] int ContextWindow,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("engines")] IReadOnlyList<string>? Engines = null);
