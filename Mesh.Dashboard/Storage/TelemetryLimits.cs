using System.ComponentModel.DataAnnotations;

namespace Mesh.Dashboard.Storage;

/// <summary>
/// How much telemetry the in-memory store keeps (section <c>Dashboard:TelemetryLimits</c>). Every collection is a
/// ring: past its limit the oldest entry makes room for the newest, so memory stays bounded under any load.
/// </summary>
internal sealed class TelemetryLimits
{
    public const string Section = "Dashboard:TelemetryLimits";

    [Range(1, 10_000_000)]
    public int MaxTraceCount { get; set; } = 10_000;

    /// <summary>Spans kept per trace; later spans of a runaway trace are counted as dropped.</summary>
    [Range(1, 1_000_000)]
    public int MaxSpansPerTrace { get; set; } = 2_000;

    [Range(1, 10_000_000)]
    public int MaxLogCount { get; set; } = 10_000;

    /// <summary>Points kept per metric series (an instrument and one set of attribute values).</summary>
    [Range(2, 1_000_000)]
    public int MaxMetricPointsPerSeries { get; set; } = 1_000;

    /// <summary>Distinct attribute sets kept per instrument; new sets past it are dropped.</summary>
    [Range(1, 1_000_000)]
    public int MaxSeriesPerInstrument { get; set; } = 1_000;

    /// <summary>Distinct resources (service name and instance) kept; the least recently seen makes room.</summary>
    [Range(1, 100_000)]
    public int MaxResourceCount { get; set; } = 1_000;

    /// <summary>Attribute values and log bodies longer than this are cut, so one huge value cannot fill the store.</summary>
    [Range(64, 10_000_000)]
    public int MaxAttributeLength { get; set; } = 16_384;

    [Range(1, 100_000)]
    public int MaxAttributeCount { get; set; } = 128;

    [Range(0, 100_000)]
    public int MaxSpanEventCount { get; set; } = 256;
}
