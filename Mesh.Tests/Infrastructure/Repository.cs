namespace Mesh.Tests.Infrastructure;

/// <summary>Where the solution and the build outputs of its projects are, seen from the test assembly.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration the tests were built in (Debug or Release); services are launched from the same.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;

    public static string ProjectDll(string project)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built in {Configuration}; build the solution first.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Mesh.sln not found above the test assembly.");
    }
}
