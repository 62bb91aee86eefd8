using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Reads a resource of Aspire's app model as a target runs it: the same environment and arguments callbacks a local
/// run uses, evaluated in publish mode and resolved by the target's <see cref="TargetValues"/>, plus what the mesh
/// attached to the resource (GPUs, restarts, each replica's own address).
/// </summary>
internal static class PublishedModel
{
    /// <summary>The resources a target runs: projects and containers (an executable of this machine, or a connection string, has no place there).</summary>
    public static IEnumerable<IResource> ComputeResources(DistributedApplicationModel model) =>
        model.Resources.Where(r => r is ProjectResource or ContainerResource);

    public static async Task<PublishedResource> ReadAsync(IResource resource, TargetValues values, DistributedApplicationExecutionContext execution,
        PublishedDashboard? dashboard, CancellationToken cancellationToken)
    {
        var environment = new List<KeyValuePair<string, string>>();
        if (resource is IResourceWithEnvironment)
        {
            var variables = new Dictionary<string, object>(StringComparer.Ordinal);
            var context = new EnvironmentCallbackContext(execution, resource, variables, cancellationToken);
            foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                await callback.Callback(context);
            }
            foreach (var (name, value) in variables)
            {
                environment.Add(new(name, await values.ResolveAsync(value, cancellationToken)));
            }
        }
        var arguments = new List<string>();
        if (resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>().Any())
        {
            var raw = new List<object>();
            var context = new CommandLineArgsCallbackContext(raw, resource, cancellationToken) { ExecutionContext = execution };
            foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
            {
                await callback.Callback(context);
            }
            foreach (var argument in raw)
            {
                arguments.Add(await values.ResolveAsync(argument, cancellationToken));
            }
        }

        var ports = resource.Annotations.OfType<EndpointAnnotation>()
            .Select(e => new PublishedPort(e.Name, values.PortOf(e), e.UriScheme is "http" or "https", e.Port))
            .ToList();
        var project = resource as ProjectResource;
        var http = ports.FirstOrDefault(p => p.Http);
        if (project is not null)
        {
            // The service's own identity and telemetry, as the target names its instances.
            PublishedDashboard.Set(environment, "OTEL_SERVICE_NAME", resource.Name);
            PublishedDashboard.Set(environment, "OTEL_RESOURCE_ATTRIBUTES", $"service.instance.id={values.InstanceId}");
            if (http is not null)
            {
                PublishedDashboard.Set(environment, "ASPNETCORE_URLS", $"http://0.0.0.0:{http.ContainerPort}");
            }
            if (dashboard is not null)
            {
                await dashboard.AddExporterAsync(environment, values, cancellationToken);
            }
        }
        var advertises = resource is MeshEngineResource && http is not null;
        if (advertises)
        {
            // Coordinators reach each replica on its own (the prefix cache lives in one process), never through a balancing Service.
            PublishedDashboard.Set(environment, "Engine__PublicUrl", $"http://{values.InstanceHost}:{http!.ContainerPort}");
        }

        return new PublishedResource(
            resource.Name,
            Image(resource, values.Options),
            ComposeValues.Replicas(resource),
            environment,
            arguments,
            ports,
            ReadinessPath: project is not null && http is not null && resource.Annotations.OfType<HealthCheckAnnotation>().Any() ? "/health" : null,
            LivenessPath: project is not null && http is not null ? "/alive" : null,
            Gpus: resource.TryGetLastAnnotation<GpuRequestAnnotation>(out var gpus) ? gpus.Count : 0,
            RestartOnExit: resource.HasAnnotationOfType<RestartOnExitAnnotation>(),
            DependsOn: [.. resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource).Where(r => r is ProjectResource or ContainerResource).Select(r => r.Name).Distinct()],
            values.Secrets,
            advertises);
    }

    private static string Image(IResource resource, MeshPublishOptions options) => resource switch
    {
        ProjectResource project when project.TryGetLastAnnotation<IProjectMetadata>(out var metadata) => options.ImageOf(Path.GetFileNameWithoutExtension(metadata.ProjectPath)),
        _ when resource.TryGetLastAnnotation<ContainerImageAnnotation>(out var image) =>
            $"{(string.IsNullOrEmpty(image.Registry) ? string.Empty : image.Registry + "/")}{image.Image}{(image.Tag is { Length: > 0 } tag ? ":" + tag : string.Empty)}",
        _ => throw new InvalidOperationException($"'{resource.Name}' has no image to publish."),
    };
}
