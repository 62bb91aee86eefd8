using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Mesh.Engine.Registry;

/// <summary>
/// Sets the engine's published URL once the server listens: <c>Engine:PublicUrl</c>, else the first address bound
/// (a wildcard host becomes 127.0.0.1). Whatever announces the engine (the Redis heartbeat, <c>/v1/engine/heartbeat</c>) waits for it.
/// </summary>
public sealed class EngineAddress(EngineIdentity identity, IServer server, IHostApplicationLifetime lifetime, IOptions<EngineOptions> options) : IHostedService
{
    private readonly TaskCompletionSource _known = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Known => _known.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            identity.Url ??= options.Value.PublicUrl ?? ListeningAddress();
            _known.TrySetResult();
        });
        lifetime.ApplicationStopping.Register(() => _known.TrySetCanceled());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string ListeningAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) ?? addresses.FirstOrDefault();
        return address?.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).TrimEnd('/')
            ?? throw new InvalidOperationException("The server listens on no address; set Engine:PublicUrl.");
    }
}
