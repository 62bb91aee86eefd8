using Mesh.SemanticKernel;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mesh.Workflow;

public static class WorkflowServiceExtensions
{
    /// <summary>
    /// The workflow against the coordinator at <paramref name="coordinator"/> (else the one the AppHost references): a
    /// kernel with the mesh as its chat service, the model (configured or discovered), and Semantic Kernel's telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddWorkflow(this IHostApplicationBuilder builder, Uri? coordinator = null)
    {
        var services = builder.Services;
        services.AddOptions<WorkflowOptions>().Bind(builder.Configuration.GetSection(WorkflowOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkflowOptions>, WorkflowOptionsValidator>();
        var options = builder.Configuration.GetSection(WorkflowOptions.Section).Get<WorkflowOptions>() ?? new WorkflowOptions();
        WorkflowTelemetry.EnableSemanticKernelDiagnostics(options.CaptureMessages);
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("Microsoft.SemanticKernel*"))
            .WithMetrics(metrics => metrics.AddMeter("Microsoft.SemanticKernel*"));

        var configured = builder.Configuration[MeshKernelBuilderExtensions.CoordinatorReference] ?? builder.Configuration["Mesh:Coordinator"];
        var address = coordinator ?? (configured is not null
            ? new Uri(configured)
            : throw new InvalidOperationException("No coordinator: pass --coordinator <url>, or run under the AppHost (services__coordinator__http__0)."));
        var apiKey = builder.Configuration["Mesh:ApiKey"];
        services.AddSingleton(provider =>
        {
            var model = options.Model is { Length: > 0 } named
                ? named
                : CoordinatorModels.DiscoverAsync(address, apiKey, CancellationToken.None).GetAwaiter().GetResult();
            var kernel = Kernel.CreateBuilder();
            kernel.Services.AddSingleton(provider.GetRequiredService<ILoggerFactory>());
            kernel.AddMeshChatCompletion(address, model, apiKey);
            return new ResearchWorkflow(kernel.Build(), model, provider.GetRequiredService<IOptions<WorkflowOptions>>().Value);
        });
        return builder;
    }
}
