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

    /// <summary>
    /// Injects what the resource needs to reach the other, as the other offers it: <c>ConnectionStrings__&lt;name&gt;</c>
    /// for a resource with a connection string, <c>services__&lt;name&gt;__http__&lt;i&gt;</c> (one per replica) for one with
    /// an HTTP endpoint. A resource unavailable here injects nothing locally; published, it is always there.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> other) where T : Resource
    {
        var target = other.Resource;
        builder.Resource.References.Add(target);
        return builder.WithEnvironment(context =>
        {
            if (!context.Values.IsPublishMode && !target.IsAvailable)
            {
                return;
            }
            if (target is IResourceWithConnectionString connectable)
            {
                context.Environment[$"ConnectionStrings__{target.Name}"] = connectable.ConnectionStringFor(context.Values);
            }
            if (target.HasHttpEndpoint)
            {
                var urls = context.Values.HttpUrlsOf(target);
                for (var i = 0; i < urls.Count; i++)
                {
                    context.Environment[$"services__{target.Name}__http__{i}"] = urls[i];
                }
            }
        });
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value) where T : Resource =>
        builder.WithEnvironment(context => context.Environment[name] = value);

    /// <summary>A parameter's value (masked on the dashboard when it is a secret; a Secret reference when published).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ParameterResource parameter) where T : Resource =>
        builder.WithEnvironment(context => context.Environment[name] = context.Values.ValueOf(parameter));

    /// <summary>A value computed when the resource starts (a port or a URL known only then).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string> value) where T : Resource =>
        builder.WithEnvironment(context => context.Environment[name] = value());

    /// <summary>Environment computed by a callback, from the values of where the resource runs (Aspire's environment callbacks).</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentCallbackContext> callback) where T : Resource =>
        builder.WithAnnotation(new EnvironmentCallbackAnnotation(callback));

    public static IResourceBuilder<T> WithAnnotation<T>(this IResourceBuilder<T> builder, IResourceAnnotation annotation) where T : Resource
    {
        builder.Resource.Annotations.Add(annotation);
        return builder;
    }

    /// <summary>GPUs each replica requests when published (<c>nvidia.com/gpu</c>); a local run ignores it.</summary>
    public static IResourceBuilder<T> WithGpus<T>(this IResourceBuilder<T> builder, int count) where T : Resource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        builder.Resource.Annotations.RemoveAll(a => a is GpuAnnotation);
        return builder.WithAnnotation(new GpuAnnotation(count));
    }

    /// <summary>
    /// Runs replica <c>i</c> on GPU <c>devices[i % devices.Count]</c> (<c>CUDA_VISIBLE_DEVICES</c>) when run locally on a
    /// host with several; with one or none, every replica sees what the host sees. Published replicas get their GPUs
    /// from the cluster's device plugin instead (<see cref="WithGpus"/>).
    /// </summary>
    public static IResourceBuilder<T> WithGpuPerReplica<T>(this IResourceBuilder<T> builder, IReadOnlyList<string> devices) where T : Resource =>
        devices.Count < 2
            ? builder
            : builder.WithEnvironment(context =>
            {
                if (!context.Values.IsPublishMode)
                {
                    context.Environment["CUDA_VISIBLE_DEVICES"] = devices[context.Values.ReplicaIndex % devices.Count];
                }
            });

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
        builder.Resource.FixedPort = port;
        return builder.WithHttp();
    }

    /// <summary>Serves HTTP on an allocated loopback port (<c>ASPNETCORE_URLS</c>) and is healthy when <paramref name="path"/> answers 2xx.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health") where T : Resource
    {
        builder.Resource.HealthPath = path;
        return builder.WithHttp();
    }

    /// <summary>An HTTP endpoint, once: the instance listens where <c>ASPNETCORE_URLS</c> says.</summary>
    private static IResourceBuilder<T> WithHttp<T>(this IResourceBuilder<T> builder) where T : Resource
    {
        if (!builder.Resource.HasHttpEndpoint)
        {
            builder.Resource.HasHttpEndpoint = true;
            builder.WithEnvironment(context =>
            {
                if (context.Values.HttpListenUrl is { } url)
                {
                    context.Environment["ASPNETCORE_URLS"] = url;
                }
            });
        }
        return builder;
    }
}
