using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Coordinator;

/// <summary>
/// Configures the routing that <see cref="CoordinatorServiceExtensions.AddMeshRouting"/> registered: where the prefix
/// index lives and which policies requests may name. The three built-in policies are there from the start.
/// </summary>
public sealed class MeshRoutingBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Adds a policy, chosen by its <see cref="IRoutingPolicy.Name"/> (<c>x-mesh-policy</c> or the default policy).</summary>
    public MeshRoutingBuilder AddPolicy<TPolicy>() where TPolicy : class, IRoutingPolicy
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRoutingPolicy, TPolicy>());
        return this;
    }

    /// <summary>The prefix index in Redis, shared by every coordinator (needs an <see cref="IConnectionMultiplexer"/>).</summary>
    public MeshRoutingBuilder UseRedisPrefixIndex()
    {
        Services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex;
            return new RedisCircuit(provider.GetRequiredService<TimeProvider>(), settings.Timeout, settings.RetryAfter);
        });
        Services.Replace(ServiceDescriptor.Singleton<IPrefixIndex>(provider => new RedisPrefixIndex(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl,
            provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            provider.GetRequiredService<RedisCircuit>(),
            provider.GetRequiredService<ILogger<RedisPrefixIndex>>())));
        return this;
    }

    /// <summary>The prefix index in this process only: for one coordinator, or to compare with the shared one.</summary>
    public MeshRoutingBuilder UseEmbeddedPrefixIndex()
    {
        Services.Replace(ServiceDescriptor.Singleton<IPrefixIndex>(provider => new EmbeddedPrefixIndex(
            provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.PrefixIndex.Ttl)));
        return this;
    }
}
