using System.Globalization;
using System.Text.Json;

namespace Mesh.Dashboard.MeshView;

/// <summary>
/// One engine the router weighed for a request, from the <c>mesh.candidates</c> JSON of <c>router.backend_selection</c>:
/// its predicted time to first token (<see cref="ScoreMs"/>) and what went into it.
/// </summary>
public sealed record RoutingCandidate(
    string Engine,
    string? Tier,
    double? ScoreMs,
    double? QueueMs,
    long? UncachedTokens,
    long? MatchedBlocks,
    double? PrefillMsPerToken,
    bool Saturated)
{
    /// <summary>Reads the JSON array; entries that are not objects with an engine are skipped, and bad JSON gives none.</summary>
    public static IReadOnlyList<RoutingCandidate> ParseList(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return [];
            }
            var candidates = new List<RoutingCandidate>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && Text(item, "engine") is { Length: > 0 } engine)
                {
                    candidates.Add(new RoutingCandidate(
                        engine,
                        Text(item, "tier"),
                        Number(item, "score_ms"),
                        Number(item, "queue_ms"),
                        (long?)Number(item, "uncached_tokens"),
                        (long?)Number(item, "matched_blocks"),
                        Number(item, "prefill_ms_per_token"),
                        item.TryGetProperty("saturated", out var saturated) && (saturated.ValueKind == JsonValueKind.True
                            || (saturated.ValueKind == JsonValueKind.String && string.Equals(saturated.GetString(), "true", StringComparison.OrdinalIgnoreCase)))));
                }
            }
            return candidates;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString() : null;

    private static double? Number(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => null,
        };
    }
}
