using System.Diagnostics;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Orchestration;

/// <summary>
/// Finds a project's build output (<c>bin/&lt;configuration&gt;/net10.0/&lt;Project&gt;.dll</c>). A project that is not
/// built yet is built once (the AppHost's own build normally builds them all, through its project references).
/// </summary>
internal static class ProjectLocator
{
    private static readonly SemaphoreSlim BuildGate = new(1, 1);

    public static async Task<string> ResolveAsync(ProjectResource project, string configuration, Action<string> log, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(project.ProjectDirectory, "bin", configuration, "net10.0", project.ProjectName + ".dll");
        if (File.Exists(dll))
        {
            return dll;
        }
        await BuildGate.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(dll))
            {
                log($"Building {project.ProjectName} ({configuration}), once...");
                using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project.ProjectDirectory, "-c", configuration, "--nologo", "-v", "q"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var output = await build.StandardOutput.ReadToEndAsync(cancellationToken);
                await build.WaitForExitAsync(cancellationToken);
                if (build.ExitCode != 0 || !File.Exists(dll))
                {
                    throw new InvalidOperationException($"Building {project.ProjectName} failed:\n{output}");
                }
            }
            return dll;
        }
        finally
        {
            BuildGate.Release();
        }
    }
}
