namespace Mesh.Hosting.ApplicationModel;

public static class DistributedApplicationBuilderExtensions
{
    /// <summary>A project of the repository (a folder holding a .csproj), launched from its build output.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectDirectory) =>
        builder.AddResource(new ProjectResource(name, Path.GetFullPath(Path.Combine(builder.RootDirectory, projectDirectory))));

    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string? workingDirectory, params string[] arguments)
    {
        var resource = builder.AddResource(new ExecutableResource(name, command, workingDirectory));
        resource.Resource.Arguments.AddRange(arguments);
        return resource;
    }

    /// <summary>A <c>redis-server</c> from the PATH; see <see cref="RedisResource"/> for what happens where there is none.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RedisResource(name, RedisResource.FindExecutable()));
}
