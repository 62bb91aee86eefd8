using System.Text.Json;
using Mesh.Contracts.Routing;

namespace Mesh.Dashboard.MeshView;

/// <summary>Reads the <c>mesh.candidates</c> JSON of a <c>router.backend_selection</c> span, best first as the router ranked them.</summary>
public static class CandidateReports
{
    /// <summary>The candidates; JSON that is not the coordinator's array gives none.</summary>
    public static IReadOnlyList<CandidateReport> Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize(json, CandidateJsonContext.Default.CandidateReportArray) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
