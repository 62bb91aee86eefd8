using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class TelemetryShutdownExtensions
{
    /// <summary>The OTLP exporters' deadline per export, in milliseconds: a local dashboard answers in a few.</summary>
    public const int ExportTimeoutMs = 2000;

    /// <summary>
    /// Bounds how long a service's OTLP exporters hold its shutdown. Aspire's exporters retry a failed export in memory
    /// until the export's deadline (10 s by default), and on shutdown the dashboard is stopped with everything else, so
    /// every service would wait out the whole deadline before it exits. Two seconds keeps the retry and the export of
    /// the last batch when the dashboard is there.
    /// </summary>
    public static IResourceBuilder<T> WithBoundedTelemetryShutdown<T>(this IResourceBuilder<T> builder) where T : IResourceWithEnvironment =>
        builder.WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", ExportTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
