namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>How a sum or histogram point relates to the previous one.</summary>
public enum MetricTemporality
{
    Unspecified = 0,
    /// <summary>Each point covers only the interval since the previous point.</summary>
    Delta = 1,
    /// <summary>Each point covers everything since the start time (the .NET SDK's default).</summary>
    Cumulative = 2,
}
