using System.Globalization;
using System.Net.Http.Json;
using Mesh.Contracts.Resources;
using Mesh.Dashboard.Configuration;
using Microsoft.Extensions.Options;
using Mesh.Contracts.Http;

namespace Mesh.Dashboard.ResourceService;

/// <summary>
/// Reads the orchestrator's resource service (JSON over HTTP, see <see cref="ResourceSnapshot"/>):
/// <c>GET {url}/resources</c> and <c>GET {url}/resources/{name}/logs?after={sequence}</c>, with <c>x-resource-service-key</c>.
/// </summary>
internal sealed class ResourceServiceClient(HttpClient http, IOptions<DashboardOptions> options)
{
    public bool IsConfigured => BaseUrl is not null;

    public Uri? BaseUrl { get; } = string.IsNullOrWhiteSpace(options.Value.ResourceServiceClient.Url)
        ? null
        : new Uri(options.Value.ResourceServiceClient.Url.TrimEnd('/') + "/");

    public async Task<IReadOnlyList<ResourceSnapshot>> GetResourcesAsync(CancellationToken cancellationToken)
    {
        using var request = NewRequest("resources");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ResourceJsonContext.Default.ResourceSnapshotArray, cancellationToken) ?? [];
    }

    /// <summary>Console lines after <paramref name="afterSequence"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ResourceLogLine>> GetLogsAsync(string resourceName, long afterSequence, CancellationToken cancellationToken)
    {
        using var request = NewRequest(string.Create(CultureInfo.InvariantCulture,
            $"resources/{Uri.EscapeDataString(resourceName)}/logs?after={afterSequence}"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ResourceJsonContext.Default.ResourceLogLineArray, cancellationToken) ?? [];
    }

    private HttpRequestMessage NewRequest(string relativePath)
    {
        var baseUrl = BaseUrl ?? throw new InvalidOperationException("No resource service URL is configured.");
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, relativePath));
        if (!string.IsNullOrEmpty(options.Value.ResourceServiceClient.ApiKey))
        {
            request.Headers.Add(DashboardHeaders.ResourceServiceKey, options.Value.ResourceServiceClient.ApiKey);
        }
        return request;
    }
}
