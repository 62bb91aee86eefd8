using System.Text.Json;

namespace Mesh.Workflow;

/// <summary>Which model to ask the coordinator for, when the settings name none: the first its own engines serve.</summary>
public static class CoordinatorModels
{
    public static async Task<string> DiscoverAsync(Uri coordinator, string? apiKey, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }
        using var models = JsonDocument.Parse(await http.GetStringAsync(new Uri(coordinator, "/v1/models"), cancellationToken));
        var cards = models.RootElement.GetProperty("data").EnumerateArray().ToList();
        if (cards.Count == 0)
        {
            throw new InvalidOperationException("The coordinator lists no model yet.");
        }
        var engines = cards.Where(c => c.GetProperty("owned_by").GetString() == "mesh").ToList();
        return (engines.Count > 0 ? engines[0] : cards[0]).GetProperty("id").GetString()!;
    }
}
