namespace Mesh.Hosting.Publishing;

/// <summary>The manifest formats <c>publish --target</c> knows.</summary>
public static class PublishTargets
{
    public const string Kubernetes = "kubernetes";
    public const string Compose = "compose";
}
