using System.ComponentModel.DataAnnotations;
using Mesh.Dashboard.Api;
using Mesh.Dashboard.Authentication;
using Mesh.Dashboard.Components;
using Mesh.Dashboard.Configuration;
using Mesh.Dashboard.MeshView;
using Mesh.Dashboard.Otlp;
using Mesh.Dashboard.ResourceService;
using Mesh.Dashboard.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;

namespace Mesh.Dashboard;

internal static class DashboardServiceExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>
    /// Registers the store, the OTLP receiver, the login, the resource service client and the UI. Settings are checked
    /// here first, so a dashboard that cannot run stops with a message that says what to set.
    /// </summary>
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        AspireEnvironmentAliases.Apply(builder.Configuration, builder.Configuration);
        var section = builder.Configuration.GetSection(DashboardOptions.Section);
        var limitsSection = builder.Configuration.GetSection(TelemetryLimits.Section);
        var options = section.Get<DashboardOptions>() ?? new DashboardOptions();
        ThrowIfInvalid(options, limitsSection.Get<TelemetryLimits>() ?? new TelemetryLimits());

        var services = builder.Services;
        services.AddOptions<DashboardOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        services.AddOptions<TelemetryLimits>().Bind(limitsSection).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelEndpointConfiguration>();

        services.AddSingleton<TelemetryStore>();
        services.AddSingleton<TelemetryStoreMetrics>();
        services.AddSingleton<MeshOverviewBuilder>();
        services.AddOtlpReceiver(options);
        services.AddBrowserTokenAuthentication(options);
        services.AddSingleton<LoginThrottle>();

        services.AddSingleton(provider => new ResourceServiceClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            {
                Timeout = options.ResourceServiceClient.RequestTimeout,
            },
            provider.GetRequiredService<IOptions<DashboardOptions>>()));
        services.AddSingleton<ResourceServicePoller>();
        services.AddHostedService(provider => provider.GetRequiredService<ResourceServicePoller>());

        services.AddHealthChecks();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddFluentUIComponents();

        // Assets of referenced packages (Fluent UI) are served from their NuGet folders when running from a build
        // output, whatever the environment; a published app has them under wwwroot and this finds no manifest.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var endpoints = DashboardEndpoints.From(options);
        app.Services.GetRequiredService<TelemetryStoreMetrics>();

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    return context.Response.WriteAsync("The dashboard failed on this request; its console has the details.");
                },
            });
        }
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks(HealthPath).AllowAnonymous();
        app.MapHealthChecks(AlivePath).AllowAnonymous();
        app.MapStaticAssets().AllowAnonymous();
        app.MapLoginEndpoints();
        app.MapOtlpReceiver(endpoints);
        app.MapTelemetryApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation(
            "Mesh dashboard: UI {Ui}, OTLP/gRPC {Grpc}, OTLP/HTTP {Http}; {Access}",
            string.Join(", ", endpoints.Frontend.Select(address => address.BrowsableUrl)),
            endpoints.OtlpGrpc.BrowsableUrl,
            endpoints.OtlpHttp.BrowsableUrl,
            options.UnsecuredAllowAnonymous ? "UNSECURED: anyone can open it and send telemetry" : "log in with the AppHost's /login?t= link"));
        return app;
    }

    private static void ThrowIfInvalid(DashboardOptions options, TelemetryLimits limits)
    {
        var failures = new List<string>();
        var result = new DashboardOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            failures.AddRange(result.Failures);
        }
        var limitResults = new List<ValidationResult>();
        if (!Validator.TryValidateObject(limits, new ValidationContext(limits), limitResults, validateAllProperties: true))
        {
            failures.AddRange(limitResults.Select(failure => $"{TelemetryLimits.Section}: {failure.ErrorMessage}"));
        }
        if (failures.Count > 0)
        {
            throw new DashboardConfigurationException(failures);
        }
    }
}
