namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>One line of an instrument list.</summary>
public sealed record MetricInstrumentSummary(
    string Resource,
    string Scope,
    string Name,
    string Description,
    string Unit,
    MetricInstrumentKind Kind,
    MetricTemporality Temporality,
    int SeriesCount,
    int PointCount,
    DateTimeOffset LastTime);
