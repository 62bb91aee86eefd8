namespace Mesh.Hosting.ApplicationModel;

/// <summary>The fluent settings of a resource, named as in Aspire.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Runs <paramref name="replicas"/> instances, each named <c>&lt;name&gt;-&lt;8 letters&gt;</c> with its own port and <c>service.instance.id</c>.</summary>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas) where T : Resource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    /// <summary>Injects what the resource needs to reach the other: <c>ConnectionStrings__&lt;name&gt;</c> for Redis, <c>services__&lt;name&gt;__http__&lt;i&gt;</c> for a project.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> other) where T : Resource
    {
        builder.Resource.References.Add(other.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value) where T : Resource
    {
        builder.Resource.Environment[name] = () => value;
        return builder;
    }

    /// <summary>A parameter's value (masked on the dashboard when it is a secret).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ParameterResource parameter) where T : Resource
    {
        builder.Resource.Environment[name] = () => parameter.Value;
        return builder;
    }

    /// <summary>A value computed when the resource starts (a port or a URL known only then).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string> value) where T : Resource
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] arguments) where T : Resource
    {
        builder.Resource.Arguments.AddRange(arguments);
        return builder;
    }

    /// <summary>Starts the resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<T> WithRestartPolicy<T>(this IResourceBuilder<T> builder, RestartPolicy policy) where T : Resource
    {
        builder.Resource.Restart = policy;
        return builder;
    }

    /// <summary>Serves HTTP on this loopback port rather than a free one (a stable URL for people to paste).</summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int port) where T : Resource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        builder.Resource.HasHttpEndpoint = true;
        builder.Resource.FixedPort = port;
        return builder;
    }

    /// <summary>Serves HTTP on an allocated loopback port (<c>ASPNETCORE_URLS</c>) and is healthy when <paramref name="path"/> answers 2xx.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health") where T : Resource
    {
        builder.Resource.HasHttpEndpoint = true;
        builder.Resource.HealthPath = path;
        return builder;
    }
}
