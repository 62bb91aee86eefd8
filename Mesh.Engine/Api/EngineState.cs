using System.Text.Json.Serialization;
using Mesh.Engine.Telemetry;

namespace Mesh.Engine.Api;

/// <summary>The body of <c>GET /v1/engine/state</c>: identity, model, and the scheduler's live figures.</summary>
public sealed record EngineState(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("epoch")] long Epoch,
    [property: JsonPropertyName("tier")] string Tier,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("simulated")] bool Simulated,
    [property: JsonPropertyName("block_size")] int BlockSize,
    [property: JsonPropertyName("statistics")] EngineStatistics Statistics);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(EngineState))]
public sealed partial class EngineJsonContext : JsonSerializerContext;
