using System.Collections.Concurrent;
using Mesh.Hosting;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Orchestration;
using Mesh.Hosting.Testing;
using StackExchange.Redis;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A small app model written by a test (a Redis, a few engines, a coordinator, a dashboard...), started through
/// Mesh.Hosting's testing builder like the AppHost's own. Disposing stops every process it started.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _redisGate = new(1, 1);
    private ConnectionMultiplexer? _redis;

    private TestApp(DistributedApplication app) => App = app;

    public DistributedApplication App { get; }

    /// <summary>Builds and starts the model, then waits until every resource is healthy.</summary>
    public static async Task<TestApp> StartAsync(Action<IDistributedApplicationBuilder> model, params string[] args)
    {
        var app = await LaunchAsync(model, args);
        try
        {
            await app.App.WaitForAllHealthyAsync(Eventually.DefaultTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>Builds and starts the model without waiting: for resources that are expected to fail.</summary>
    public static async Task<TestApp> LaunchAsync(Action<IDistributedApplicationBuilder> model, params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(b =>
        {
            model(b);
            return null;
        }, args);
        var app = new TestApp(await builder.BuildAsync());
        await app.App.StartAsync();
        return app;
    }

    /// <summary>The one instance of that name (a resource without replicas, or a replica).</summary>
    public ResourceInstance Instance(string name) => App.ResourceNotifications.Find(name).Single();

    /// <summary>A client for a resource's endpoint, made once and disposed with the app.</summary>
    public HttpClient Client(string resource) => _clients.GetOrAdd(resource, App.CreateHttpClient);

    /// <summary>The last lines of an instance's console, for assertion messages.</summary>
    public string Logs(string name) => Instance(name).Logs.Tail(80);

    /// <summary>A connection to the Redis resource named <c>redis</c>, made on first use.</summary>
    public async Task<ConnectionMultiplexer> RedisAsync()
    {
        await _redisGate.WaitAsync();
        try
        {
            return _redis ??= await ConnectionMultiplexer.ConnectAsync(
                App.GetConnectionString("redis") ?? throw new InvalidOperationException("The model has no Redis named 'redis'."));
        }
        finally
        {
            _redisGate.Release();
        }
    }

    public async Task<IDatabase> RedisDatabaseAsync() => (await RedisAsync()).GetDatabase();

    /// <summary>SIGKILL for an instance and its process tree: no deregistration, no flush.</summary>
    public async Task KillAsync(string name)
    {
        var process = Instance(name).Process ?? throw new InvalidOperationException($"'{name}' has no process.");
        process.Kill();
        await process.Exited.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until an instance with a restart policy is running again after <paramref name="restartsBefore"/> restarts.</summary>
    public Task WaitForRestartAsync(string name, int restartsBefore) =>
        App.WaitForResourceAsync(name, i => i[0].Restarts > restartsBefore && i[0].Healthy, Eventually.DefaultTimeout);

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
        _redisGate.Dispose();
        await App.DisposeAsync();
    }
}
