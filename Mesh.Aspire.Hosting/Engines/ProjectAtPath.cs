namespace Aspire.Hosting;

/// <summary>
/// A project named by its path, for an AppHost that does not reference it (tests, tools): the counterpart of the
/// <c>Projects.*</c> metadata that the AppHost SDK generates for each project reference. The project is expected to
/// be built already, as a project reference of an AppHost is.
/// </summary>
public sealed class ProjectAtPath(string projectPath) : IProjectMetadata
{
    public string ProjectPath { get; } = projectPath;

    public bool SuppressBuild => true;
}
