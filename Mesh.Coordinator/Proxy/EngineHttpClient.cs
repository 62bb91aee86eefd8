using Mesh.Contracts.Security;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// The one HTTP client the coordinator talks to engines with: pooled connections straight to each engine's URL,
/// no generic resilience or service-discovery handlers (the proxy does its own failover, timeouts and discovery),
/// and no overall timeout (streams are as long as their generation). With a mesh secret, calls to the mesh's engines
/// carry the engine API key derived from it.
/// </summary>
public sealed class EngineHttpClient(IOptions<CoordinatorOptions> options, IConfiguration configuration) : IDisposable
{
    /// <summary>The bearer token engines require, or null when the mesh has no secret.</summary>
    public string? EngineApiKey { get; } = configuration[MeshSecret.ConfigurationKey] is { Length: > 0 } secret ? MeshSecret.EngineApiKey(secret) : null;

    public HttpClient Client { get; } = new(new SocketsHttpHandler
    {
        ConnectTimeout = options.Value.ConnectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = int.MaxValue,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseProxy = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public void Dispose() => Client.Dispose();
}
