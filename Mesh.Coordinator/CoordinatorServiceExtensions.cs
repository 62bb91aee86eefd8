using Mesh.Contracts.Registry;
using Mesh.Contracts.Security;
using Mesh.Contracts.Telemetry;
using Mesh.Contracts.Tokenization;
using Mesh.Coordinator.Api;
using Mesh.Coordinator.Feedback;
using Mesh.Coordinator.Forwarding;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Routing.Policies;
using Mesh.Coordinator.Telemetry;
using Mesh.Coordinator.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator;

public static class CoordinatorServiceExtensions
{
    /// <summary>
    /// The coordinator as a library: the registry, the request pipeline (validate, route, forward with failover,
    /// feedback, telemetry) and the three built-in policies, with the embedded prefix index until the builder says
    /// otherwise. Map its endpoints with <see cref="CoordinatorEndpoints.MapCoordinatorApi"/>.
    /// </summary>
    public static MeshRoutingBuilder AddMeshRouting(this IServiceCollection services, Action<CoordinatorOptions>? configure = null)
    {
        var options = services.AddOptions<CoordinatorOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CoordinatorOptions>, CoordinatorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton(MeshTokenizer.Instance);
        services.TryAddSingleton<HeartbeatSigner>(provider => new HeartbeatSigner(provider.GetService<IConfiguration>()?[MeshSecret.ConfigurationKey]));

        services.TryAddSingleton<EngineRegistry>();
        services.TryAddSingleton<EngineConnection>();
        services.AddHostedService<RegistryEvents>();

        services.TryAddSingleton<CompletionRequestReader>();
        services.TryAddSingleton<RoutingPolicies>();
        services.TryAddSingleton<Router>();
        services.TryAddSingleton<IEngineForwarder>(provider => new HttpEngineForwarder(provider.GetRequiredService<EngineConnection>()));
        services.TryAddSingleton<FailoverLoop>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAttemptObserver, HealthObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAttemptObserver, CostObserver>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAttemptObserver, PrefixIndexObserver>());
        services.TryAddSingleton<CoordinatorMetrics>();
        services.TryAddSingleton<RecentRequests>();
        services.TryAddSingleton<RequestTelemetry>();
        services.TryAddSingleton<CompletionPipeline>();

        return new MeshRoutingBuilder(services)
            .AddPolicy<PrefixAwarePolicy>()
            .AddPolicy<LeastLoadedPolicy>()
            .AddPolicy<RoundRobinPolicy>()
            .UseEmbeddedPrefixIndex();
    }

    /// <summary>
    /// The coordinator service: <see cref="AddMeshRouting"/> bound to the <c>Coordinator</c> section, the prefix index in
    /// Redis when <c>ConnectionStrings:redis</c> is set (embedded otherwise, or with <c>PrefixIndex:Embedded</c>), the
    /// registry fed from Redis heartbeats or by polling the engines, and CORS for the configured origins.
    /// </summary>
    public static IHostApplicationBuilder AddCoordinator(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var routing = services.AddMeshRouting();
        services.AddOptions<CoordinatorOptions>().Bind(builder.Configuration.GetSection(CoordinatorOptions.Section));
        var origins = builder.Configuration.GetSection($"{CoordinatorOptions.Section}:{nameof(CoordinatorOptions.CorsAllowedOrigins)}").Get<string[]>() ?? [];
        if (origins.Length > 0)
        {
            services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods("GET", "POST")
                .WithHeaders("authorization", "content-type", MeshHeaders.Policy, MeshHeaders.TierPolicy)
                .WithExposedHeaders(MeshHeaders.RequestId, MeshHeaders.OpenAIRequestId, MeshHeaders.Engine, MeshHeaders.Tier, MeshHeaders.Reason,
                    MeshHeaders.CachedTokens, MeshHeaders.TimeToFirstTokenMs)));
        }
        if (!builder.AddRedisClient("redis"))
        {
            services.AddHostedService<HttpEngineDiscovery>();
            return builder;
        }
        if (!builder.Configuration.GetValue<bool>($"{CoordinatorOptions.Section}:PrefixIndex:Embedded"))
        {
            routing.UseRedisPrefixIndex();
        }
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
}
