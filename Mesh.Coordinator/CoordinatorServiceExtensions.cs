using Mesh.Contracts.Registry;
using Mesh.Contracts.Security;
using Mesh.Contracts.Telemetry;
using Mesh.Contracts.Tokenization;
using Mesh.Coordinator.Api;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Proxy;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Routing.Policies;
using Mesh.Coordinator.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        var origins = builder.Configuration.GetSection($"{CoordinatorOptions.Section}:{nameof(CoordinatorOptions.CorsAllowedOrigins)}").Get<string[]>() ?? [];
        if (origins.Length > 0)
        {
            services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods("GET", "POST")
                .WithHeaders("authorization", "content-type", MeshHeaders.Policy, MeshHeaders.TierPolicy)
                .WithExposedHeaders(MeshHeaders.RequestId, MeshHeaders.OpenAIRequestId, MeshHeaders.Engine)));
        }

        services.AddSingleton<EngineHttpClient>();
        services.AddSingleton(new HeartbeatSigner(builder.Configuration[MeshSecret.ConfigurationKey]));

        var embedded = builder.Configuration.GetValue<bool>($"{CoordinatorOptions.Section}:PrefixIndex:Embedded");
        if (!builder.AddRedisClient("redis"))
        {
            services.AddSingleton<IPrefixIndex>(provider => NewEmbedded(provider));
            services.AddHostedService<HttpEngineDiscovery>();
            return builder;
        }
        services.AddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex;
            return new RedisCircuit(provider.GetRequiredService<TimeProvider>(), settings.Timeout, settings.RetryAfter);
        });
        services.AddSingleton<IPrefixIndex>(provider => embedded
            ? NewEmbedded(provider)
            : new RedisPrefixIndex(
                provider.GetRequiredService<IConnectionMultiplexer>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl,
                provider.GetRequiredService<CoordinatorMetrics>(),
                provider.GetRequiredService<RedisCircuit>(),
                provider.GetRequiredService<ILogger<RedisPrefixIndex>>()));
        services.AddHostedService<RedisRegistrySync>();
        return builder;
    }

    /// <summary>Answers CORS for the configured origins (<see cref="CoordinatorOptions.CorsAllowedOrigins"/>); nothing when there are none.</summary>
    public static WebApplication UseCoordinatorCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<CoordinatorOptions>>().Value.CorsAllowedOrigins.Count > 0)
        {
            app.UseCors();
        }
        return app;
    }

    private static EmbeddedPrefixIndex NewEmbedded(IServiceProvider provider) =>
        new(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl);
}
