using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>The points of one instrument from one export, ready for the store (attributes sorted by key).</summary>
internal sealed record MetricPointBatch(
    TelemetryResource Resource,
    string Scope,
    string Name,
    string Description,
    string Unit,
    MetricInstrumentKind Kind,
    MetricTemporality Temporality,
    IReadOnlyList<(KeyValuePair<string, string>[] Attributes, MetricPoint Point)> Points);
