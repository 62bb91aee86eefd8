using System.Globalization;
using Mesh.Contracts.Http;
using Mesh.Hosting.Orchestration;
using Mesh.Hosting.Processes;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>Adds resources, each with the behaviour of its kind attached: how it launches, what environment it gets, how it is published.</summary>
public static class DistributedApplicationBuilderExtensions
{
    /// <summary>
    /// A project of the repository (a folder holding a .csproj), launched from its build output, with Aspire's
    /// environment for a .NET service and, once the app has a dashboard, the OTLP exporter settings that reach it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectDirectory)
    {
        var project = new ProjectResource(name, Path.GetFullPath(Path.Combine(builder.RootDirectory, projectDirectory)));
        project.LivenessPath = "/alive";
        project.Annotations.Add(new LaunchAnnotation(async launch => new ProcessSpec(
            "dotnet",
            [await ProjectLocator.ResolveAsync(project, launch.BuildConfiguration, launch.Log, launch.CancellationToken), .. launch.Resource.Arguments],
            launch.Environment,
            project.ProjectDirectory)));
        project.Annotations.Add(new ContainerImageAnnotation(ImageNameOf(project.ProjectName), builtFromProject: true));
        project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
        {
            var environment = context.Values.IsPublishMode ? "Production" : "Development";
            context.Environment["DOTNET_ENVIRONMENT"] = environment;
            context.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
            context.Environment["OTEL_SERVICE_NAME"] = project.Name;
            context.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={context.Values.InstanceId}";
            if (builder.Dashboard?.Resource is { } dashboard && dashboard != project
                && dashboard.Annotations.OfType<DashboardAnnotation>().FirstOrDefault() is { } annotation)
            {
                var apiKey = new ParameterResource(DashboardOtlpApiKeyParameter, annotation.Settings.OtlpApiKey, secret: true);
                context.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = context.Values.UrlOf(dashboard, annotation.Settings.OtlpGrpcPort);
                context.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
                context.Environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"{DashboardHeaders.OtlpApiKey}={context.Values.ValueOf(apiKey)}";
                context.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                context.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
                context.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            }
        }));
        return builder.AddResource(project);
    }

    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string? workingDirectory, params string[] arguments)
    {
        var executable = new ExecutableResource(name, command, workingDirectory);
        executable.Arguments.AddRange(arguments);
        executable.Annotations.Add(new LaunchAnnotation(launch =>
            Task.FromResult(new ProcessSpec(executable.Command, [.. launch.Resource.Arguments], launch.Environment, executable.WorkingDirectory))));
        return builder.AddResource(executable);
    }

    /// <summary>A <c>redis-server</c> from the PATH; see <see cref="RedisResource"/> for what happens where there is none.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this IDistributedApplicationBuilder builder, string name)
    {
        var redis = new RedisResource(name, RedisResource.FindExecutable()) { Port = Networking.PortAllocator.Next() };
        redis.Annotations.Add(new LaunchAnnotation(launch => Task.FromResult(new ProcessSpec(
            redis.ExecutablePath!,
            ["--port", redis.Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", redis.Password,
                "--save", string.Empty, "--appendonly", "no", .. launch.Resource.Arguments],
            launch.Environment))));
        redis.Annotations.Add(new HealthCheckAnnotation(cancellationToken => RedisPing.CheckAsync(redis.Port, redis.Password, cancellationToken)));
        redis.Annotations.Add(new EndpointAnnotation("redis", RedisResource.ContainerPort));
        redis.Annotations.Add(new ContainerImageAnnotation("docker.io/library/redis:7.2", builtFromProject: false, values =>
            ["redis-server", "--requirepass", values.ValueOf(redis.PasswordParameter), "--save", string.Empty, "--appendonly", "no", .. redis.Arguments]));
        return builder.AddResource(redis);
    }

    /// <summary>The parameter name the dashboard's OTLP API key is published under (a secret).</summary>
    public const string DashboardOtlpApiKeyParameter = "dashboard-otlp-api-key";

    /// <summary>The image a project publishes as: <c>Mesh.Engine</c> becomes <c>mesh-engine</c>.</summary>
    public static string ImageNameOf(string projectName) => projectName.ToLowerInvariant().Replace('.', '-');
}
