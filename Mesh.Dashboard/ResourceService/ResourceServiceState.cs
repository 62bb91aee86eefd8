using Mesh.Contracts.Resources;

namespace Mesh.Dashboard.ResourceService;

/// <summary>The latest the dashboard knows of the orchestrator's resources.</summary>
/// <param name="Configured">False when no resource service URL is set.</param>
/// <param name="Error">Why the last poll failed, or null when it succeeded.</param>
internal sealed record ResourceServiceState(
    bool Configured,
    IReadOnlyList<ResourceSnapshot> Resources,
    DateTimeOffset? UpdatedAt,
    string? Error,
    long Version)
{
    public static ResourceServiceState NotConfigured { get; } = new(false, [], null, null, 0);
}
