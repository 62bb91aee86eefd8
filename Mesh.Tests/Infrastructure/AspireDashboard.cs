using System.Text.Json.Nodes;

namespace Mesh.Tests.Infrastructure;

/// <summary>One span as Aspire's dashboard stored it: its name, the service that sent it, its instrumentation scope and attributes.</summary>
public sealed record DashboardSpan(string Name, string Service, string Scope, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Aspire's own dashboard, read through its telemetry HTTP API (<c>/api/telemetry/…</c>, OTLP JSON, guarded by the
/// AppHost's dashboard API key), so a test asserts what the dashboard holds, not what a service meant to send.
/// </summary>
public sealed class AspireDashboard(Uri url, string apiKey) : IDisposable
{
    private readonly HttpClient _client = CreateClient(url, apiKey);

    public Uri Url { get; } = url;

    private static HttpClient CreateClient(Uri url, string apiKey)
    {
        var client = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>Every span of a trace that the dashboard holds so far (none while it holds none).</summary>
    public async Task<IReadOnlyList<DashboardSpan>> TraceAsync(string traceId)
    {
        using var response = await _client.GetAsync(new Uri($"/api/telemetry/traces/{traceId}", UriKind.Relative));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
        response.EnsureSuccessStatusCode();
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var spans = new List<DashboardSpan>();
        foreach (var resourceSpans in json["data"]?["resourceSpans"]?.AsArray() ?? [])
        {
            var service = Attributes(resourceSpans!["resource"]?["attributes"]).GetValueOrDefault("service.name", string.Empty);
            foreach (var scopeSpans in resourceSpans["scopeSpans"]?.AsArray() ?? [])
            {
                var scope = (string?)scopeSpans!["scope"]?["name"] ?? string.Empty;
                foreach (var span in scopeSpans["spans"]?.AsArray() ?? [])
                {
                    spans.Add(new DashboardSpan((string)span!["name"]!, service, scope, Attributes(span["attributes"])));
                }
            }
        }
        return spans;
    }

    private static Dictionary<string, string> Attributes(JsonNode? attributes) =>
        (attributes?.AsArray() ?? []).Select(a => a!.AsObject())
            .GroupBy(a => (string)a["key"]!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()["value"] is JsonObject value && value.FirstOrDefault() is { Value: { } v } ? v.ToString() : string.Empty, StringComparer.Ordinal);

    public void Dispose() => _client.Dispose();
}
