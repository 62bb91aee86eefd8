using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Pipelines;
using Mesh.Aspire.Hosting.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// Kubernetes and Compose publishing in the shape of Aspire's own compute environments (whose packages this registry
/// does not serve): in publish mode each adds a pipeline step that reads the app model (its resources, their environment
/// and argument callbacks, the mesh's annotations) and writes the target's files under the pipeline's output path.
/// <c>aspire publish</c>, or <c>dotnet run --project Mesh.AppHost -- --operation publish --step publish</c>, runs both;
/// <c>--step publish-kubernetes</c> or <c>--step publish-compose</c> runs one. Settings come from <c>Mesh:Publish:</c>.
/// </summary>
public static class MeshPublishingExtensions
{
    public static IDistributedApplicationBuilder AddMeshKubernetesPublisher(this IDistributedApplicationBuilder builder, string name = "kubernetes") =>
        builder.AddMeshPublisher(name, KubernetesWriter.WriteAsync);

    public static IDistributedApplicationBuilder AddMeshComposePublisher(this IDistributedApplicationBuilder builder, string name = "compose") =>
        builder.AddMeshPublisher(name, ComposeWriter.WriteAsync);

    private delegate Task<IReadOnlyList<(string File, string Text)>> Writer(
        DistributedApplicationModel model, DistributedApplicationExecutionContext execution, MeshPublishOptions options, PublishedDashboard? dashboard, CancellationToken cancellationToken);

    private static IDistributedApplicationBuilder AddMeshPublisher(this IDistributedApplicationBuilder builder, string name, Writer write)
    {
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        var options = builder.Configuration.GetSection(MeshPublishOptions.Section).Get<MeshPublishOptions>() ?? new MeshPublishOptions();
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        var dashboard = options.Dashboard ? PublishedDashboard.Add(builder) : null;
        builder.Pipeline.AddStep($"publish-{name}", async context =>
        {
            var output = Path.Combine(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(), name);
            Directory.CreateDirectory(output);
            foreach (var (file, text) in await write(context.Model, context.ExecutionContext, options, dashboard, context.CancellationToken))
            {
                var path = Path.Combine(output, file);
                await File.WriteAllTextAsync(path, text, context.CancellationToken);
                if (!OperatingSystem.IsWindows())
                {
                    // Every file may hold secrets (a Secret, the .env): readable by the owner only.
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                context.Logger.LogInformation("Wrote {Path}", path);
            }
        }, dependsOn: WellKnownPipelineSteps.PublishPrereq, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }
}
