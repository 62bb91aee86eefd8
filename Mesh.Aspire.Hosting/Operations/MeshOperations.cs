using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Mesh.Contracts.Security;
using Mesh.Contracts.Telemetry;

namespace Mesh.Aspire.Hosting.Operations;

/// <summary>
/// The AppHost's calls into the mesh, for resource commands and live state: an engine replica's own API (with the engine
/// key derived from the mesh secret), and every coordinator replica's operations (with the admin key and the
/// coordinator's API key). Each call answers in a few seconds or fails with a message a person can read.
/// </summary>
internal sealed class MeshOperations(ReplicaAddresses addresses) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Empties an engine replica's KV cache under a new epoch, so every coordinator drops what it knew of it.</summary>
    public async Task<ExecuteCommandResult> ResetCacheAsync(MeshEngineResource engine, string replica, CancellationToken cancellationToken)
    {
        if (addresses.Of(replica) is not { } url)
        {
            return CommandResults.Failure($"{replica} is not running.");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, "/v1/engine/cache/reset"));
        if (await SecretOf(engine, cancellationToken) is { } secret)
        {
            request.Headers.Authorization = new("Bearer", MeshSecret.EngineApiKey(secret));
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode
            ? CommandResults.Success($"{replica}: KV cache emptied; epoch {(await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken))?["epoch"]}.")
            : CommandResults.Failure($"{replica} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>Sends one operation to every running replica of every coordinator (each holds its own routing state).</summary>
    public async Task<ExecuteCommandResult> OnEveryCoordinatorAsync(IEnumerable<MeshCoordinatorResource> coordinators, string path, string done, CancellationToken cancellationToken)
    {
        var reached = 0;
        foreach (var coordinator in coordinators)
        {
            foreach (var (replica, url) in addresses.Of(coordinator))
            {
                using var request = await CoordinatorRequestAsync(HttpMethod.Post, coordinator, new Uri(url, path), cancellationToken);
                using var response = await _http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure($"{replica} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
                reached++;
            }
        }
        return reached > 0 ? CommandResults.Success($"{done} ({reached} coordinator replica(s)).") : CommandResults.Failure("No coordinator is running.");
    }

    /// <summary>What the first coordinator replica that answers knows of the engines (<c>GET /v1/mesh/engines</c>); null when none does.</summary>
    public async Task<JsonObject?> EnginesAsync(MeshCoordinatorResource coordinator, CancellationToken cancellationToken)
    {
        foreach (var (_, url) in addresses.Of(coordinator))
        {
            try
            {
                using var request = await CoordinatorRequestAsync(HttpMethod.Get, coordinator, new Uri(url, "/v1/mesh/engines"), cancellationToken);
                using var response = await _http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Starting or restarting: the next replica, or the next round.
            }
        }
        return null;
    }

    private static async Task<HttpRequestMessage> CoordinatorRequestAsync(HttpMethod method, MeshCoordinatorResource coordinator, Uri uri, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, uri);
        if (coordinator.TryGetLastAnnotation<CoordinatorApiKeyAnnotation>(out var apiKey) && await apiKey.ApiKey.GetValueAsync(cancellationToken) is { Length: > 0 } key)
        {
            request.Headers.Authorization = new("Bearer", key);
        }
        if (await SecretOf(coordinator, cancellationToken) is { } secret)
        {
            request.Headers.Add(MeshHeaders.AdminKey, MeshSecret.AdminKey(secret));
        }
        return request;
    }

    private static async Task<string?> SecretOf(IResource resource, CancellationToken cancellationToken) =>
        resource.TryGetLastAnnotation<MeshSecretAnnotation>(out var annotation) ? await annotation.Secret.GetValueAsync(cancellationToken) : null;

    public void Dispose() => _http.Dispose();
}
