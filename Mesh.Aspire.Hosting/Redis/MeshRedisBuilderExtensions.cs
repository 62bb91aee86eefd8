using System.Net;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

public static class MeshRedisBuilderExtensions
{
    /// <summary>How long the container runtime may take to answer before the mesh does without it.</summary>
    public static readonly TimeSpan ContainerRuntimeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Decides where Redis comes from. Publishing always emits Aspire's Redis container. Otherwise a requested mode is
    /// taken as asked (an unmet one is a start-up error), and <see cref="RedisMode.Auto"/> takes an external connection
    /// string when one is set, then a container where the runtime (<c>ASPIRE_CONTAINER_RUNTIME</c>, else docker) answers
    /// within <see cref="ContainerRuntimeTimeout"/>, then this machine's <c>redis-server</c>, else no Redis.
    /// </summary>
    public static async Task<RedisChoice> ChooseRedisAsync(this IDistributedApplicationBuilder builder, RedisMode requested, string? connectionString)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new RedisChoice(RedisMode.Container, "publishing emits the Redis container");
        }
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        switch (requested)
        {
            case RedisMode.External when !hasConnectionString:
                throw new DistributedApplicationException("Mesh:Redis:Mode is External but Mesh:Redis:ConnectionString is not set.");
            case RedisMode.External or RedisMode.Auto when hasConnectionString:
                return new RedisChoice(RedisMode.External, "Mesh:Redis:ConnectionString is set");
            case RedisMode.Executable when ContainerRuntimeProbe.FindOnPath("redis-server") is null:
                throw new DistributedApplicationException("Mesh:Redis:Mode is Executable but redis-server is not on the PATH (apt-get install redis-server).");
            case RedisMode.Container or RedisMode.Executable or RedisMode.None:
                return new RedisChoice(requested, "Mesh:Redis:Mode says so");
        }
        var runtime = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        var (healthy, detail) = await ContainerRuntimeProbe.CheckAsync(runtime, ContainerRuntimeTimeout);
        if (healthy)
        {
            return new RedisChoice(RedisMode.Container, detail);
        }
        return ContainerRuntimeProbe.FindOnPath("redis-server") is not null
            ? new RedisChoice(RedisMode.Executable, $"{detail}; redis-server is installed")
            : new RedisChoice(RedisMode.None, $"{detail} and redis-server is not installed (apt-get install redis-server)");
    }

    /// <summary>The Redis of <paramref name="choice"/> under <paramref name="name"/>; null for <see cref="RedisMode.None"/>.</summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddMeshRedis(this IDistributedApplicationBuilder builder, string name, RedisChoice choice, string? connectionString) =>
        choice.Mode switch
        {
            RedisMode.Container => builder.AddRedis(name),
            RedisMode.Executable => builder.AddLocalRedis(name).WithRestartOnExit(),
            RedisMode.External => builder.AddConnectionString(name,
                ReferenceExpression.Create($"{builder.AddParameter($"{name}-connection-string", connectionString!, secret: true).Resource}")),
            _ => null,
        };

    /// <summary>
    /// This machine's <c>redis-server</c> as an executable resource (see <see cref="LocalRedisResource"/>), healthy when it
    /// answers PING. Its endpoint is not proxied: every routing decision makes a Redis round trip, and DCP's proxy would
    /// triple it. The port is a free one unless given, the password a generated one unless given; further
    /// <c>redis-server</c> arguments come with <c>WithArgs</c>.
    /// </summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name,
        int? port = null, IResourceBuilder<ParameterResource>? password = null)
    {
        var server = ContainerRuntimeProbe.FindOnPath("redis-server")
            ?? throw new DistributedApplicationException($"The Redis '{name}' needs redis-server on the PATH (apt-get install redis-server).");
        password ??= builder.AddGeneratedSecret($"{name}-password", 22);
        var listen = port ?? FreeLoopbackPort();
        var redis = new LocalRedisResource(name, builder.AppHostDirectory, password.Resource);

        string? connectionString = null;
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(redis, async (_, cancellationToken) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheck = $"{name}_check";
        var ping = new RedisPingHealthCheck(() => connectionString);
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck, _ => ping, failureStatus: null, tags: null));

        return builder.AddResource(redis)
            .WithEndpoint(port: listen, targetPort: listen, name: LocalRedisResource.EndpointName, isProxied: false)
            .WithEnvironment(LocalRedisResource.PasswordVariable, password)
            .WithArgs(context =>
            {
                // The password reaches redis-server through the environment, so it is not in the process list.
                context.Args.Add("-c");
                context.Args.Add($"exec \"$0\" --requirepass \"${LocalRedisResource.PasswordVariable}\" \"$@\"");
                context.Args.Add(server);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                foreach (var argument in new[] { "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
                {
                    context.Args.Add(argument);
                }
            })
            .WithHealthCheck(healthCheck);
    }

    /// <summary>A loopback port free at this moment (the kernel picks it), for an endpoint that is not proxied.</summary>
    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
