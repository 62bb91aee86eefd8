using System.Runtime.InteropServices;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Networking;
using Mesh.Hosting.Orchestration;
using Mesh.Hosting.Processes;
using Mesh.Hosting.ResourceService;

namespace Mesh.Hosting;

/// <summary>
/// A built application: every resource instance with its ports allocated, ready to start. Starting launches
/// each resource once the resources it waits for are healthy; stopping stops them in reverse dependency order,
/// gracefully first, and leaves no process behind.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<Resource> _resources;
    private readonly IReadOnlyList<ParameterResource> _parameters;
    private readonly ProjectResource? _dashboard;
    private readonly DashboardSettings? _dashboardSettings;
    private readonly string _buildConfiguration;
    private readonly DistributedApplicationOptions _options;
    private readonly List<ResourceInstance> _instances = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _monitors = [];
    private readonly ConsoleReporter? _reporter;
    private ResourceServiceHost? _resourceService;
    private int _stopped;

    internal DistributedApplication(
        IReadOnlyList<Resource> resources, IReadOnlyList<ParameterResource> parameters, ProjectResource? dashboard, DashboardSettings? dashboardSettings, string buildConfiguration, DistributedApplicationOptions options)
    {
        _resources = resources;
        _parameters = parameters;
        _dashboard = dashboard;
        _dashboardSettings = dashboardSettings;
        _buildConfiguration = buildConfiguration;
        _options = options;
        _reporter = options.ReportToConsole ? new ConsoleReporter() : null;
        ResourceNotifications = new ResourceNotificationService(() => Instances);
        foreach (var resource in resources.Where(r => r.IsAvailable && r.IsLaunchable))
        {
            if (resource.FixedPort is not null && resource.Replicas > 1)
            {
                throw new InvalidOperationException($"'{resource.Name}' has a fixed port, so it cannot have {resource.Replicas} replicas.");
            }
            for (var replica = 0; replica < resource.Replicas; replica++)
            {
                var name = resource.Replicas > 1 ? ResourceNames.Replica(resource.Name) : resource.Name;
                int? port = resource.HasHttpEndpoint ? resource.FixedPort ?? PortAllocator.Next() : resource.FixedPort;
                var instance = new ResourceInstance(resource, name, port, options.LogLines);
                instance.StateChanged += OnStateChanged;
                _instances.Add(instance);
            }
        }
    }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) =>
        new DistributedApplicationBuilder(new DistributedApplicationOptions { Args = args });

    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new DistributedApplicationBuilder(options);

    public ResourceNotificationService ResourceNotifications { get; }

    public IReadOnlyList<ResourceInstance> Instances
    {
        get
        {
            lock (_instances)
            {
                return [.. _instances];
            }
        }
    }

    public IReadOnlyList<Resource> Resources => _resources;

    public DashboardSettings? Dashboard => _dashboard is null ? null : _dashboardSettings;

    /// <summary>The URL of a resource's first (or given) instance.</summary>
    public Uri GetEndpoint(string resource, int replica = 0) =>
        ResourceNotifications.Find(resource).ElementAtOrDefault(replica)?.Url
        ?? throw new ArgumentException($"'{resource}' has no HTTP endpoint (replica {replica}).", nameof(resource));

    /// <summary>The connection string references inject as <c>ConnectionStrings__&lt;name&gt;</c>; null for an unavailable resource.</summary>
    public string? GetConnectionString(string name) =>
        _resources.FirstOrDefault(r => r.Name == name) is { IsAvailable: true } resource and IResourceWithConnectionString connectable
            ? connectable.ConnectionStringFor(new RunValues(Instances.FirstOrDefault(i => i.Resource == resource), () => Instances, null))
            : null;

    /// <summary>A parameter's value, as the resources that reference it receive it.</summary>
    public string GetParameterValue(string name) =>
        _parameters.FirstOrDefault(p => p.Name == name)?.Value ?? throw new ArgumentException($"No parameter is named '{name}'.", nameof(name));

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_dashboard is not null)
        {
            _resourceService = new ResourceServiceHost(() => Instances);
            await _resourceService.StartAsync(cancellationToken);
        }
        foreach (var instance in Instances)
        {
            instance.SetState(ResourceState.Waiting);
            _monitors.Add(RunInstanceAsync(instance));
        }
    }

    /// <summary>Starts, then runs until Ctrl+C or SIGTERM (or the token), then stops everything.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; shutdown.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; shutdown.TrySetResult(); });
        using var cancelled = cancellationToken.Register(() => shutdown.TrySetResult());
        await StartAsync(cancellationToken);
        await shutdown.Task;
        Console.WriteLine("Stopping...");
        await StopAsync();
    }

    private async Task RunInstanceAsync(ResourceInstance instance)
    {
        var stopping = _stopping.Token;
        try
        {
            foreach (var dependency in instance.Resource.WaitsFor.Where(d => d.IsAvailable && d.IsLaunchable))
            {
                await ResourceNotifications.WaitForResourceHealthyAsync(dependency.Name, stopping);
            }
            await instance.MonitorAsync(SpecForAsync, _options.TimeProvider, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>The resource's own launch, with the environment its callbacks compute for this instance.</summary>
    private Task<ProcessSpec> SpecForAsync(ResourceInstance instance)
    {
        var resource = instance.Resource;
        var service = _resourceService?.Url is { } url ? (url, _resourceService.ApiKey) : ((string, string)?)null;
        var environment = EnvironmentCallbackContext.Evaluate(resource, new RunValues(instance, () => Instances, service));
        var launch = resource.Annotations.OfType<LaunchAnnotation>().First();
        return launch.SpecFor(new LaunchContext(resource, environment, _buildConfiguration,
            message => instance.Logs.Add(message, false, _options.TimeProvider.GetUtcNow()), _stopping.Token));
    }

    private void OnStateChanged(ResourceInstance instance)
    {
        _reporter?.Print(instance);
        ResourceNotifications.Publish(instance);
    }

    /// <summary>
    /// Stops everything: first the resources nothing waits for, then what they waited for, the dashboard last so it
    /// receives the final telemetry. Each process gets SIGTERM, then its whole tree is killed after a grace period.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        var remaining = _resources.Where(r => r.IsAvailable && r.IsLaunchable && r != _dashboard).ToList();
        while (remaining.Count > 0)
        {
            var layer = remaining.Where(r => !remaining.Any(other => other != r && (other.WaitsFor.Contains(r) || other.References.Contains(r)))).ToList();
            if (layer.Count == 0)
            {
                layer = remaining;
            }
            await Task.WhenAll(Instances.Where(i => layer.Contains(i.Resource)).Select(i => i.StopAsync(StopGrace)));
            remaining.RemoveAll(layer.Contains);
        }
        await Task.WhenAll(Instances.Where(i => i.Resource == _dashboard).Select(i => i.StopAsync(StopGrace)));
        await Task.WhenAll(_monitors);
        if (_resourceService is not null)
        {
            await _resourceService.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }
}
