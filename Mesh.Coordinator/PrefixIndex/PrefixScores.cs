namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The score of an index entry, which both implementations (and the Redis scripts) read the same way:
/// - the milliseconds since <see cref="EpochUnixMs"/> of its last use, nudged so that within one prompt the first
///   block counts as the most recent: evicting the oldest drops a prompt's tail before its head, as the engine does;
/// - plus <see cref="ProtectedBand"/> when the block was reused on that engine (a routing decision matched it), so
///   that eviction by lowest score takes every one-off block before any reused one, as the engine's segmented LRU does.
/// Times are relative to a fixed epoch so that the band keeps sub-millisecond precision in a double.
/// </summary>
public static class PrefixScores
{
    /// <summary>2025-01-01T00:00:00Z.</summary>
    public const long EpochUnixMs = 1_735_689_600_000;

    /// <summary>Added to the score of a protected entry: larger than any relative time for the next three decades.</summary>
    public const double ProtectedBand = 1e12;

    private const double BlockNudge = 1e-3;

    public static double Time(long nowUnixMs) => nowUnixMs - EpochUnixMs;

    /// <summary>The unprotected score of block <paramref name="blockIndex"/> of a prompt of <paramref name="blockCount"/> blocks.</summary>
    public static double For(long nowUnixMs, int blockIndex, int blockCount) => Time(nowUnixMs) + (blockCount - blockIndex) * BlockNudge;

    /// <summary>Entries last used before this relative time are expired.</summary>
    public static double ExpiredBefore(long nowUnixMs, TimeSpan ttl) => Time(nowUnixMs) - ttl.TotalMilliseconds;

    public static bool IsProtected(double score) => score >= ProtectedBand;

    /// <summary>The relative time of the last use, whichever band the score is in.</summary>
    public static double LastUse(double score) => IsProtected(score) ? score - ProtectedBand : score;
}
