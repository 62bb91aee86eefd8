using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>The builder behind <see cref="DistributedApplication.CreateBuilder"/>: configuration from appsettings, environment and command line.</summary>
public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<ParameterResource> _parameters = [];
    private DashboardSettings? _dashboardSettings;

    public DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        Configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(options.Args)
            .Build();
        var entry = options.EntryAssembly ?? Assembly.GetEntryAssembly();
        RootDirectory = options.RootDirectory ?? FindRoot(entry);
        BuildConfiguration = options.BuildConfiguration
            ?? entry?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? "Debug";
    }

    public DistributedApplicationOptions Options { get; }

    public IConfiguration Configuration { get; }

    public string RootDirectory { get; }

    public string BuildConfiguration { get; }

    public IReadOnlyList<Resource> Resources => _resources;

    public IResourceBuilder<ProjectResource>? Dashboard { get; private set; }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }
        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public IReadOnlyList<ParameterResource> Parameters => _parameters;

    public ParameterResource AddParameter(string name, bool secret = false)
    {
        var value = Configuration[$"Parameters:{name}"];
        if (string.IsNullOrEmpty(value))
        {
            value = secret
                ? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
                : throw new InvalidOperationException($"The parameter '{name}' needs a value: set Parameters:{name}.");
        }
        var parameter = new ParameterResource(name, value, secret);
        _parameters.Add(parameter);
        return parameter;
    }

    public IResourceBuilder<ProjectResource> AddDashboard(string name, string projectDirectory, DashboardSettings settings)
    {
        Dashboard = this.AddProject(name, projectDirectory).WithHttpEndpoint(settings.UiPort).WithHttpHealthCheck("/health");
        _dashboardSettings = settings;
        Dashboard.Resource.Annotations.Add(new DashboardAnnotation(settings));
        Dashboard.Resource.Annotations.Add(new EndpointAnnotation("otlp-grpc", settings.OtlpGrpcPort));
        Dashboard.Resource.Annotations.Add(new EndpointAnnotation("otlp-http", settings.OtlpHttpPort));
        Dashboard.WithEnvironment(context =>
        {
            context.Environment["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"] = context.Values.ListenUrl(settings.OtlpGrpcPort);
            context.Environment["DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = context.Values.ListenUrl(settings.OtlpHttpPort);
            context.Environment["DASHBOARD__FRONTEND__BROWSERTOKEN"] = context.Values.ValueOf(new ParameterResource(DashboardBrowserTokenParameter, settings.BrowserToken, secret: true));
            context.Environment["DASHBOARD__OTLP__PRIMARYAPIKEY"] = context.Values.ValueOf(
                new ParameterResource(DistributedApplicationBuilderExtensions.DashboardOtlpApiKeyParameter, settings.OtlpApiKey, secret: true));
            if (context.Values.ResourceService is { } service)
            {
                context.Environment["DASHBOARD__RESOURCESERVICECLIENT__URL"] = service.Url;
                context.Environment["DASHBOARD__RESOURCESERVICECLIENT__APIKEY"] = service.ApiKey;
            }
        });
        return Dashboard;
    }

    /// <summary>The parameter name the dashboard's browser token is published under (a secret).</summary>
    public const string DashboardBrowserTokenParameter = "dashboard-browser-token";

    public DistributedApplication Build() =>
        new(_resources, _parameters, Dashboard?.Resource, _dashboardSettings, BuildConfiguration, Options);

    /// <summary>The repository root: stamped into the AppHost at build time, else the folder above holding a solution file.</summary>
    private static string FindRoot(Assembly? entry)
    {
        var stamped = entry?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "MeshRepositoryRoot")?.Value;
        if (stamped is not null && Directory.Exists(stamped))
        {
            return Path.GetFullPath(stamped);
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.sln").Any() || dir.EnumerateFiles("*.slnx").Any())
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>How a builder is created: arguments, and overrides of what it would otherwise find itself.</summary>
public sealed class DistributedApplicationOptions
{
    public string[] Args { get; init; } = [];

    public string? RootDirectory { get; init; }

    public string? BuildConfiguration { get; init; }

    /// <summary>The assembly whose metadata names the repository root (the AppHost's).</summary>
    public Assembly? EntryAssembly { get; init; }

    /// <summary>Console lines kept per resource instance.</summary>
    public int LogLines { get; init; } = 2000;

    /// <summary>Print state changes to the console (the AppHost does; tests do not).</summary>
    public bool ReportToConsole { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
