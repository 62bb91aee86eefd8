using Mesh.Contracts.Tokenization;
using Mesh.Coordinator.Api;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Proxy;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Routing.Policies;
using Mesh.Coordinator.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Coordinator;

public static class CoordinatorServiceExtensions
{
    /// <summary>
    /// Registers the registry, the prefix index (Redis when <c>ConnectionStrings:redis</c> is set, else embedded),
    /// the router, the proxy and the telemetry.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinator(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CoordinatorOptions>()
            .Bind(builder.Configuration.GetSection(CoordinatorOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => MeshTokenizer.Instance);
        services.AddSingleton<EngineRegistry>();
        services.AddSingleton<CoordinatorMetrics>();
        services.AddSingleton<RecentRequests>();
        services.AddSingleton<IRoutingPolicy, PrefixAwarePolicy>();
        services.AddSingleton<IRoutingPolicy, LeastLoadedPolicy>();
        services.AddSingleton<IRoutingPolicy, RoundRobinPolicy>();
        services.AddSingleton<RoutingPolicies>();
        services.AddSingleton<Router>();
        services.AddSingleton<CompletionProxy>();
        services.AddSingleton<CompletionHandler>();
        services.AddHostedService<RegistryEvents>();

        services.AddSingleton<EngineHttpClient>();

        var embedded = builder.Configuration.GetValue<bool>($"{CoordinatorOptions.Section}:PrefixIndex:Embedded");
        if (!builder.AddRedisClient("redis"))
        {
            services.AddSingleton<IPrefixIndex>(provider => NewEmbedded(provider));
            services.AddHostedService<HttpEngineDiscovery>();
            return builder;
        }
        services.AddSingleton<IPrefixIndex>(provider => embedded
            ? NewEmbedded(provider)
            : new RedisPrefixIndex(
                provider.GetRequiredService<IConnectionMultiplexer>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl,
                provider.GetRequiredService<CoordinatorMetrics>(),
                provider.GetRequiredService<ILogger<RedisPrefixIndex>>()));
        services.AddHostedService<RedisRegistrySync>();
        services.AddHealthChecks().AddRedis(provider => provider.GetRequiredService<IConnectionMultiplexer>(), "redis",
            failureStatus: HealthStatus.Degraded, timeout: TimeSpan.FromSeconds(2));
        return builder;
    }

    private static EmbeddedPrefixIndex NewEmbedded(IServiceProvider provider) =>
        new(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl);
}
