using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Testing;

/// <summary>
/// An Aspire app under test or under measurement, from an AppHost or from a small app model of the caller's (a Redis, a
/// few engines, a coordinator...), started through <see cref="DistributedApplicationTestingBuilder"/>. It follows every replica's state
/// through Aspire's resource notifications (its process id, its exits and restarts) and collects every console, so a
/// failure shows what each process said. Disposing stops every process it started.
/// </summary>
public sealed class RunningApp : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Replica> _replicas = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _redisGate = new(1, 1);
    private readonly Task _watcher;
    private ConnectionMultiplexer? _redis;

    private RunningApp(DistributedApplication app)
    {
        App = app;
        _watcher = Task.Run(() => WatchAsync(_stopping.Token));
    }

    public DistributedApplication App { get; }

    /// <summary>Raised on every change of a replica's state, on the watcher's thread.</summary>
    public event Action<Replica>? Changed;

    /// <summary>How long a start, or a wait for a state, may take: long enough for a 2-core machine under heavy load.</summary>
    public static TimeSpan Patience { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A small app model of the caller's own, on an empty Aspire app. Aspire's testing builder finds DCP through the
    /// calling assembly's metadata, so the caller hands in the builder it made (<c>DistributedApplicationTestingBuilder.Create</c>).
    /// </summary>
    public static Task<RunningApp> StartAsync(IDistributedApplicationTestingBuilder builder, Action<IDistributedApplicationBuilder> model, bool dashboard = false) =>
        StartCoreAsync(builder, model, dashboard);

    /// <summary>Builds and starts an app model (an AppHost's, from <c>DistributedApplicationTestingBuilder.CreateAsync</c>), then waits until every resource is healthy.</summary>
    public static Task<RunningApp> StartAsync(IDistributedApplicationTestingBuilder builder, bool dashboard = false) => StartCoreAsync(builder, _ => { }, dashboard);

    private static async Task<RunningApp> StartCoreAsync(IDistributedApplicationTestingBuilder builder, Action<IDistributedApplicationBuilder> model, bool dashboard)
    {
        model(builder);
        // Every console is kept by Aspire's resource logger and shown on failure; the host's own console stays quiet.
        builder.Services.AddLogging(logging => logging.ClearProviders());
        if (!dashboard)
        {
            // Without the dashboard nothing listens where Aspire points the services' OTLP exporters, and each exporter
            // would retry its last batch for its whole timeout (10 s) before a service may exit.
            foreach (var resource in builder.Resources.OfType<IResourceWithEnvironment>())
            {
                builder.CreateResourceBuilder(resource).WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
            }
        }
        var app = new RunningApp(await builder.BuildAsync());
        try
        {
            await app.App.StartAsync().WaitAsync(Patience);
            await app.WaitForAllHealthyAsync();
        }
        catch (Exception ex)
        {
            var consoles = await app.DescribeAsync();
            await app.DisposeAsync();
            throw new InvalidOperationException($"The app did not start: {ex.Message}\n{consoles}", ex);
        }
        return app;
    }

    /// <summary>
    /// The resources of the model that serve something (an endpoint, a health check): what "started" waits for. Not
    /// parameters, connection strings, one-shot executables, or the hidden helpers Aspire adds (a project's rebuilder).
    /// </summary>
    public IReadOnlyList<IResource> Resources =>
        [.. App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(r => r is ProjectResource or ExecutableResource or ContainerResource)
            .Where(r => r.Annotations.Any(a => a is EndpointAnnotation or HealthCheckAnnotation))];

    private async Task WaitForAllHealthyAsync()
    {
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name).WaitAsync(Patience);
        }
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(stopping))
            {
                if (update.Snapshot.IsHidden || update.Resource is ParameterResource)
                {
                    continue;
                }
                var snapshot = update.Snapshot;
                var pid = snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
                {
                    int value => value,
                    long value => (int)value,
                    string text when int.TryParse(text, out var value) => value,
                    _ => (int?)null,
                };
                var url = snapshot.EnvironmentVariables.FirstOrDefault(e => e.Name == "ASPNETCORE_URLS")?.Value?.Split(';')[0] is { Length: > 0 } listen
                    ? new Uri(listen) : null;
                var replica = _replicas.AddOrUpdate(update.ResourceId,
                    id => new Replica(id, update.Resource.Name, snapshot.State?.Text, snapshot.HealthStatus == HealthStatus.Healthy, pid, snapshot.ExitCode, 0, url),
                    (_, last) => last with
                    {
                        Url = url ?? last.Url,
                        Health = string.Join("; ", snapshot.HealthReports.Select(h => $"{h.Name}: {h.Status} {h.Description} {h.ExceptionText}")),
                        State = snapshot.State?.Text,
                        Healthy = snapshot.HealthStatus == HealthStatus.Healthy,
                        ProcessId = pid ?? last.ProcessId,
                        ExitCode = snapshot.ExitCode,
                        // Running again after it had exited: started again (by the mesh's restart, or a command).
                        Restarts = last.Restarts + (last.Exited && snapshot.State?.Text == KnownResourceStates.Running ? 1 : 0),
                        Exited = snapshot.State?.Text == KnownResourceStates.Running ? false
                            : last.Exited || snapshot.State?.Text == KnownResourceStates.Exited || snapshot.State?.Text == KnownResourceStates.Finished,
                    });
                try
                {
                    Changed?.Invoke(replica);
                }
                catch (ObjectDisposedException)
                {
                    // A waiter that has just finished.
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Every replica of a resource (or the one replica with that id), as last seen.</summary>
    public IReadOnlyList<Replica> Replicas(string name) =>
        [.. _replicas.Values.Where(r => r.Resource == name || r.Id == name).OrderBy(r => r.Id, StringComparer.Ordinal)];

    /// <summary>The one replica of a resource without replicas.</summary>
    public Replica Instance(string name) => Replicas(name) switch
    {
        [var only] => only,
        var found => throw new InvalidOperationException($"'{name}' has {found.Count} replicas."),
    };

    /// <summary>Waits until the replicas of <paramref name="name"/> satisfy <paramref name="condition"/>; the message on timeout carries every console.</summary>
    public async Task<IReadOnlyList<Replica>> WaitForAsync(string name, Func<IReadOnlyList<Replica>, bool> condition, string what)
    {
        var changed = new SemaphoreSlim(0);
        void OnChange(Replica _) => changed.Release();
        Changed += OnChange;
        try
        {
            using var deadline = new CancellationTokenSource(Patience);
            while (true)
            {
                var replicas = Replicas(name);
                if (replicas.Count > 0 && condition(replicas))
                {
                    return replicas;
                }
                try
                {
                    await changed.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"{name}: {string.Join(", ", replicas.Select(x => $"{x.Id} {x.State} pid {x.ProcessId} restarts {x.Restarts}"))}; "
                        + $"not {what} within {Patience}.\n{await DescribeAsync()}");
                }
            }
        }
        finally
        {
            Changed -= OnChange;
            changed.Dispose();
        }
    }

    /// <summary>Waits until a replica that was restarted <paramref name="restartsBefore"/> times runs healthy again after one more.</summary>
    public Task WaitForRestartAsync(string replica, int restartsBefore) =>
        WaitForAsync(replica, r => r[0].Restarts > restartsBefore && r[0].Running && r[0].Healthy, "restarted and healthy");

    /// <summary>
    /// SIGKILL for a replica and everything it started (a project runs under <c>dotnet run</c>): no deregistration, no
    /// flush. Returns once the process is gone.
    /// </summary>
    public async Task KillAsync(string replica)
    {
        var pid = Instance(replica).ProcessId ?? throw new InvalidOperationException($"'{replica}' has no process.");
        // The service itself first, at once (a test kills it mid-stream: listing the whole process tree first takes a
        // second on a loaded machine), then what is left of its tree.
        var service = ProcessTree.Service(pid);
        foreach (var id in new[] { service, pid }.Distinct())
        {
            try
            {
                using var process = Process.GetProcessById(id);
                process.Kill(entireProcessTree: id != service);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Gone already: the wrapper exits with its service.
            }
        }
    }

    /// <summary>Stops a replica the way the dashboard's Stop does (SIGTERM, so it deregisters and flushes), and waits until it has exited.</summary>
    public async Task StopAsync(string replica)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(Instance(replica).Id, KnownResourceCommands.StopCommand);
        if (!result.Success)
        {
            throw new InvalidOperationException($"Stopping {replica} failed: {result.Message}");
        }
        await WaitForAsync(replica, r => r[0].State == KnownResourceStates.Exited || r[0].State == KnownResourceStates.Finished, "stopped");
    }

    /// <summary>A client for a resource's HTTP endpoint, made once and disposed with the app.</summary>
    public HttpClient Client(string resource) => _clients.GetOrAdd(resource, name =>
        new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Endpoint(name), Timeout = TimeSpan.FromSeconds(60) });

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

    /// <summary>The last lines of a resource's consoles (every replica), for assertion messages.</summary>
    public string Logs(string name) => LogsAsync(name, 80).GetAwaiter().GetResult();

    private async Task<string> LogsAsync(string name, int lines)
    {
        var text = new StringBuilder();
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var replica in Replicas(name))
        {
            var all = new List<string>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await foreach (var batch in loggers.GetAllAsync(replica.Id).WithCancellation(timeout.Token))
                {
                    all.AddRange(batch.Select(l => l.Content));
                }
            }
            catch (OperationCanceledException)
            {
            }
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"--- {replica.Id}: {replica.State} (pid {replica.ProcessId}, restarts {replica.Restarts}, exit {replica.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}) health: {replica.Health}");
            text.AppendLine(string.Join(Environment.NewLine, all.TakeLast(lines)));
        }
        return text.ToString();
    }

    /// <summary>Every resource's state and the tail of its consoles.</summary>
    public async Task<string> DescribeAsync(int lines = 30)
    {
        var text = new StringBuilder();
        foreach (var resource in _replicas.Values.Select(r => r.Resource).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            text.Append(await LogsAsync(resource, lines));
        }
        return text.ToString();
    }

    public async Task<string?> ConnectionStringAsync(string resource) => await App.GetConnectionStringAsync(resource);

    /// <summary>A connection to the Redis resource named <c>redis</c>, made on first use.</summary>
    public async Task<ConnectionMultiplexer> RedisAsync()
    {
        await _redisGate.WaitAsync();
        try
        {
            return _redis ??= await ConnectionMultiplexer.ConnectAsync(
                await ConnectionStringAsync("redis") ?? throw new InvalidOperationException("The model has no Redis named 'redis'."));
        }
        finally
        {
            _redisGate.Release();
        }
    }

    public async Task<IDatabase> RedisDatabaseAsync() => (await RedisAsync()).GetDatabase();

    /// <summary>A parameter's value (the mesh secret, a password), as the resources got it.</summary>
    public async Task<string> ParameterAsync(string name) =>
        await App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>().Single(p => p.Name == name).GetValueAsync(default)
            ?? throw new InvalidOperationException($"The parameter '{name}' has no value.");

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        await App.StopAsync();
        await _stopping.CancelAsync();
        await _watcher;
        await App.DisposeAsync();
        _stopping.Dispose();
        _redisGate.Dispose();
    }
}
