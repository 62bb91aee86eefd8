using System.Text.Json.Serialization;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Mesh.SemanticKernel;

/// <summary>
/// OpenAI execution settings plus the mesh's routing hints, which travel as the <c>x-mesh-policy</c> and
/// <c>x-mesh-tier-policy</c> headers: which routing policy picks the engine (<c>prefix_aware</c>, <c>least_loaded</c>,
/// <c>round_robin</c>) and which tiers may serve (<c>LocalOnly</c>, <c>CloudOnly</c>, <c>LocalFirstWithCloudFallback</c>).
/// Unset, the coordinator's defaults apply. Settings of any other kind (from a prompt template, say) are accepted too.
/// </summary>
public sealed class MeshPromptExecutionSettings : OpenAIPromptExecutionSettings
{
    private string? _routingPolicy;
    private string? _tierPolicy;

    [JsonPropertyName("mesh_routing_policy")]
    public string? RoutingPolicy
    {
        get => _routingPolicy;
        set
        {
            ThrowIfFrozen();
            _routingPolicy = value;
        }
    }

    [JsonPropertyName("mesh_tier_policy")]
    public string? TierPolicy
    {
        get => _tierPolicy;
        set
        {
            ThrowIfFrozen();
            _tierPolicy = value;
        }
    }

    public override PromptExecutionSettings Clone()
    {
        var clone = FromExecutionSettings(base.Clone());
        clone._routingPolicy = _routingPolicy;
        clone._tierPolicy = _tierPolicy;
        return clone;
    }

    /// <summary>These settings as mesh settings: the same instance if they are, a copy with no routing hints otherwise.</summary>
    public static new MeshPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings, int? defaultMaxTokens = null)
    {
        if (settings is MeshPromptExecutionSettings mesh)
        {
            return mesh;
        }
        var openAI = OpenAIPromptExecutionSettings.FromExecutionSettings(settings, defaultMaxTokens);
        var json = System.Text.Json.JsonSerializer.Serialize(openAI);
        var copy = System.Text.Json.JsonSerializer.Deserialize<MeshPromptExecutionSettings>(json)!;
        copy.ServiceId = openAI.ServiceId;
        copy.ModelId = openAI.ModelId;
        if (settings?.ExtensionData is { } extra)
        {
            copy._routingPolicy ??= extra.TryGetValue("mesh_routing_policy", out var policy) ? policy?.ToString() : null;
            copy._tierPolicy ??= extra.TryGetValue("mesh_tier_policy", out var tier) ? tier?.ToString() : null;
        }
        return copy;
    }
}
