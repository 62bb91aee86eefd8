using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A Redis client from <c>ConnectionStrings:&lt;name&gt;</c>, in the shape of Aspire's <c>AddRedisClient</c>: one
/// <see cref="IConnectionMultiplexer"/> that never fails the service's start while Redis is down, fails commands fast,
/// and reconnects within half a second of Redis coming back.
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
            return ConnectionMultiplexer.Connect(configuration);
        });
        return true;
    }
}
