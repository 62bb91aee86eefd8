using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Front;

/// <summary>
/// Opens a connection per forwarded request when the destination is itself a connection balancer (Aspire's endpoint
/// proxy for a resource with replicas, a Kubernetes Service): it balances connections, not requests, so a pooled
/// connection would send every request to one replica. On loopback a connection costs a fraction of a millisecond.
/// </summary>
internal sealed class ConnectionPerRequestClientFactory : ForwarderHttpClientFactory
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.PooledConnectionLifetime = TimeSpan.Zero;
    }
}
