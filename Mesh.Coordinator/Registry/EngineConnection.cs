using Mesh.Contracts.Security;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Registry;

/// <summary>
/// How the coordinator reaches engines: one pooled HTTP connection handler straight to each engine's URL (no generic
/// resilience or discovery handlers: failover, timeouts and discovery are the coordinator's own), and, with a mesh
/// secret, the engine API key derived from it.
/// </summary>
internal sealed class EngineConnection(IOptions<CoordinatorOptions> options, IConfiguration configuration) : IDisposable
{
    /// <summary>Sends requests to engines; no overall timeout (a stream lasts as long as its generation).</summary>
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        ConnectTimeout = options.Value.ConnectTimeout,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = int.MaxValue,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseProxy = false,
    });

    /// <summary>The bearer token engines require, or null when the mesh has no secret.</summary>
    public string? EngineApiKey { get; } = configuration[MeshSecret.ConfigurationKey] is { Length: > 0 } secret ? MeshSecret.EngineApiKey(secret) : null;

    public void Dispose() => Invoker.Dispose();
}
