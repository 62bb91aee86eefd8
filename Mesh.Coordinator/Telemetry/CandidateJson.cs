using System.Text.Json;
using Mesh.Contracts.Routing;

namespace Mesh.Coordinator.Telemetry;

/// <summary>The candidates of a decision as the JSON array the <c>mesh.candidates</c> span attribute carries.</summary>
internal static class CandidateJson
{
    public static string Write(CandidateReport[] reports) => JsonSerializer.Serialize(reports, CandidateJsonContext.Default.CandidateReportArray);
}
