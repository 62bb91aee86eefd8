using System.ComponentModel.DataAnnotations;

namespace Mesh.Hosting.Publishing;

/// <summary>What <c>publish</c> writes, and where the images of the projects are pulled from.</summary>
public sealed class PublishOptions
{
    /// <summary><c>kubernetes</c> or <c>compose</c>.</summary>
    [Required]
    public string Target { get; set; } = string.Empty;

    [Required]
    public string OutputDirectory { get; set; } = string.Empty;

    /// <summary>Prefix of the projects' images (<c>registry.example.com/mesh</c>); none for local images.</summary>
    public string? Registry { get; set; }

    public string Tag { get; set; } = "latest";

    /// <summary>The port every published HTTP service listens on inside its container, unless the app model fixes one.</summary>
    [Range(1, 65535)]
    public int HttpPort { get; set; } = 8080;
}
