namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Something the app model runs: a project, an executable, Redis. Its settings and its behaviour (launch,
/// environment, health, publishing) are annotations added through <see cref="IResourceBuilder{T}"/>, as in Aspire's app model.
/// </summary>
public abstract class Resource(string name)
{
    public string Name { get; } = ResourceNames.Validate(name);

    /// <summary>Shown on the dashboard's resources page: Project, Executable, Redis.</summary>
    public abstract string Type { get; }

    public List<IResourceAnnotation> Annotations { get; } = [];

    public int Replicas { get; internal set; } = 1;

    public RestartPolicy Restart { get; internal set; } = RestartPolicy.Never;

    /// <summary>Path probed for health (<c>/health</c> for services); null when the resource has its own probe or none.</summary>
    public string? HealthPath { get; internal set; }

    /// <summary>Path that answers while the process is alive (<c>/alive</c> for the services); published as a liveness probe.</summary>
    public string? LivenessPath { get; internal set; }

    /// <summary>True when the resource serves HTTP on an allocated port (one per replica).</summary>
    public bool HasHttpEndpoint { get; internal set; }

    /// <summary>A port chosen by the app model instead of a free one (single-instance resources only).</summary>
    public int? FixedPort { get; internal set; }

    public List<string> Arguments { get; } = [];

    public List<Resource> References { get; } = [];

    public List<Resource> WaitsFor { get; } = [];

    /// <summary>False when it cannot run here (Redis without a redis-server): it is skipped, and references to it inject nothing.</summary>
    public virtual bool IsAvailable => true;

    /// <summary>Launched by the orchestrator (it has a launch annotation).</summary>
    public bool IsLaunchable => Annotations.OfType<LaunchAnnotation>().Any();
}

/// <summary>A .NET project launched from its build output as <c>dotnet &lt;dll&gt;</c>.</summary>
public sealed class ProjectResource(string name, string projectDirectory) : Resource(name)
{
    public string ProjectDirectory { get; } = projectDirectory;

    public string ProjectName => Path.GetFileName(ProjectDirectory.TrimEnd(Path.DirectorySeparatorChar));

    public override string Type => "Project";
}

/// <summary>Any program on the PATH or at a path.</summary>
public class ExecutableResource(string name, string command, string? workingDirectory) : Resource(name)
{
    public string Command { get; } = command;

    public string? WorkingDirectory { get; } = workingDirectory;

    public override string Type => "Executable";
}
