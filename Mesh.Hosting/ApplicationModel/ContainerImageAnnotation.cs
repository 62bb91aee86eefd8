namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// How a resource is published as a container: its image (for a project, the image its build publishes, which the
/// publisher prefixes with the registry and suffixes with the tag) and its arguments.
/// </summary>
public sealed class ContainerImageAnnotation(string image, bool builtFromProject, Func<IEnvironmentValues, IReadOnlyList<string>>? arguments = null)
    : IResourceAnnotation
{
    public string Image { get; } = image;

    public bool BuiltFromProject { get; } = builtFromProject;

    public Func<IEnvironmentValues, IReadOnlyList<string>> Arguments { get; } = arguments ?? (_ => []);
}
