using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Mesh.Aspire.Hosting.Redis;

/// <summary>
/// Healthy while a Redis answers PING, over one connection kept between checks. Unlike a check that asks a cluster node
/// for its cluster state, it holds for a node that is not yet part of a cluster, which is what a cluster waits for.
/// </summary>
internal sealed class RedisPingHealthCheck(Func<string?> connectionString) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (connectionString() is not { } configuration)
        {
            return HealthCheckResult.Unhealthy("Not started yet.");
        }
        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_connection is null)
                {
                    var options = ConfigurationOptions.Parse(configuration);
                    options.AbortOnConnectFail = false;
                    options.ConnectTimeout = 2000;
                    _connection = await ConnectionMultiplexer.ConnectAsync(options);
                }
            }
            finally
            {
                _gate.Release();
            }
            await _connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}
