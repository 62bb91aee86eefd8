using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A Redis client from <c>ConnectionStrings:&lt;name&gt;</c>, in the shape of Aspire's <c>AddRedisClient</c>: one
/// <see cref="IConnectionMultiplexer"/> that never fails the service's start while Redis is down, fails commands at once
/// while it is disconnected (instead of queueing them until a timeout), and reconnects within half a second of Redis
/// coming back; and a health check that reports Degraded, without a round trip, while it is disconnected.
/// </summary>
public static class RedisClientExtensions
{
    /// <summary>Registers the client when the connection string is set; returns whether it was.</summary>
    public static bool AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return false;
        }
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var configuration = ConfigurationOptions.Parse(connectionString);
            configuration.AbortOnConnectFail = false;
            configuration.ReconnectRetryPolicy = new LinearRetry(500);
            configuration.ConnectTimeout = 2000;
            configuration.SyncTimeout = 2000;
            configuration.AsyncTimeout = 2000;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            return ConnectionMultiplexer.Connect(configuration);
        });
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(connectionName,
            provider => new RedisConnectedCheck(provider.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Degraded, tags: null));
        return true;
    }
}

/// <summary>Healthy while the multiplexer is connected; it reconnects on its own, so the check never waits on Redis.</summary>
internal sealed class RedisConnectedCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected; serving from local state until it is back."));
}
