namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>OTLP timestamps are nanoseconds since the Unix epoch; the store keeps <see cref="DateTimeOffset"/> (100 ns ticks).</summary>
internal static class OtlpTime
{
    private static readonly ulong MaxNanoseconds = (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>Zero (unset) or out of range gives <paramref name="fallback"/>.</summary>
    public static DateTimeOffset FromUnixNanoseconds(ulong nanoseconds, DateTimeOffset fallback) =>
        nanoseconds == 0 || nanoseconds >= MaxNanoseconds ? fallback : DateTimeOffset.UnixEpoch.AddTicks((long)(nanoseconds / 100));
}
