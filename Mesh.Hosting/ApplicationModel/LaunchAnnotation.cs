using Mesh.Hosting.Processes;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>How a resource's instance is launched locally; a resource without one is not run by the orchestrator.</summary>
public sealed class LaunchAnnotation(Func<LaunchContext, Task<ProcessSpec>> specFor) : IResourceAnnotation
{
    public Func<LaunchContext, Task<ProcessSpec>> SpecFor { get; } = specFor;
}

/// <summary>What a launch needs: the computed environment, the build configuration, where to log, and when to give up.</summary>
public sealed record LaunchContext(
    Resource Resource,
    IReadOnlyDictionary<string, string> Environment,
    string BuildConfiguration,
    Action<string> Log,
    CancellationToken CancellationToken);
