namespace Mesh.Dashboard.MeshView;

/// <summary>Percentiles of a per-request histogram (<paramref name="Name"/> as recorded) over the rate window, across coordinators and policies.</summary>
public sealed record LatencySummary(string Name, string Label, string Unit, double? P50, double? P90, double? P99, double Count);
