using System.ComponentModel.DataAnnotations;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>What the Kubernetes and Compose steps write (<c>Mesh:Publish:</c>): where the projects' images come from, and their port.</summary>
public sealed class MeshPublishOptions
{
    public const string Section = "Mesh:Publish";

    /// <summary>Prefix of the projects' images (<c>registry.example.com/mesh</c>); none for local images.</summary>
    public string? Registry { get; set; }

    [Required]
    public string Tag { get; set; } = "latest";

    /// <summary>The port every published project listens on inside its container, unless the app model fixes one.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Publish Aspire's dashboard beside the mesh, with every service exporting its telemetry to it.</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>The image a project publishes as: <c>Mesh.Engine</c> becomes <c>[registry/]mesh-engine:tag</c> (the SDK's container target names it so).</summary>
    public string ImageOf(string projectName) =>
        $"{(string.IsNullOrEmpty(Registry) ? string.Empty : Registry.TrimEnd('/') + "/")}{projectName.ToLowerInvariant().Replace('.', '-')}:{Tag}";
}
