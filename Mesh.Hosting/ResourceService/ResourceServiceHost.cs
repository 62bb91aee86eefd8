using System.Security.Cryptography;
using System.Text;
using Mesh.Contracts.Resources;
using Mesh.Hosting.Orchestration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mesh.Contracts.Http;

namespace Mesh.Hosting.ResourceService;

/// <summary>
/// The orchestrator's resource service for the dashboard (the contract is in <see cref="ResourceSnapshot"/>):
/// <c>GET /resources</c> and <c>GET /resources/{name}/logs?after=</c> on a loopback port, guarded by a key.
/// </summary>
internal sealed class ResourceServiceHost(Func<IReadOnlyList<ResourceInstance>> instances) : IAsyncDisposable
{

    private WebApplication? _app;

    public string ApiKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string? Url { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        var expected = Encoding.UTF8.GetBytes(ApiKey);
        _app.Use(async (context, next) =>
        {
            var given = Encoding.UTF8.GetBytes(context.Request.Headers[DashboardHeaders.ResourceServiceKey].ToString());
            if (!CryptographicOperations.FixedTimeEquals(given, expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await next(context);
        });
        _app.MapGet("/resources", () => TypedResults.Json(
            instances().Select(i => i.ToSnapshot()).ToArray(), ResourceJsonContext.Default.ResourceSnapshotArray));
        _app.MapGet("/resources/{name}/logs", IResult (string name, long? after) =>
            instances().FirstOrDefault(i => i.Name == name) is { } instance
                ? TypedResults.Json(instance.Logs.Snapshot(after ?? 0).Select(l => new ResourceLogLine(l.Sequence, l.Timestamp, l.IsError, l.Text)).ToArray(),
                    ResourceJsonContext.Default.ResourceLogLineArray)
                : TypedResults.NotFound());
        await _app.StartAsync(cancellationToken);
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
