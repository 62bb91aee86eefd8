namespace Mesh.Engine.Scheduling;

/// <summary>
/// Logs failed scheduler steps without flooding the console: the first occurrence of a failure (its type,
/// message and throw site) is logged whole, repeats within <see cref="Window"/> are only counted, and the next
/// log line of that failure says how many were held back. A step that keeps failing then costs one line per
/// window instead of one per step.
/// </summary>
internal sealed partial class StepFailureLog(ILogger logger, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private const int MaxTrackedFailures = 64;

    private readonly Dictionary<string, (long LoggedAt, int HeldBack)> _seen = new(StringComparer.Ordinal);

    public void Report(Exception error, int sequencesEnded)
    {
        var key = $"{error.GetType().FullName}|{error.TargetSite?.DeclaringType?.FullName}.{error.TargetSite?.Name}|{error.Message}";
        var now = time.GetTimestamp();
        if (_seen.TryGetValue(key, out var seen) && time.GetElapsedTime(seen.LoggedAt, now) < Window)
        {
            _seen[key] = (seen.LoggedAt, seen.HeldBack + 1);
            return;
        }
        if (_seen.Count >= MaxTrackedFailures)
        {
            _seen.Clear();
        }
        _seen[key] = (now, 0);
        LogStepFailed(logger, error, sequencesEnded, seen.HeldBack);
    }

    [LoggerMessage(Level = LogLevel.Error,
        Message = "A scheduler step failed; {SequencesEnded} sequence(s) it concerned ended with an error and the engine keeps serving ({HeldBack} identical failure(s) not logged since the last line).")]
    private static partial void LogStepFailed(ILogger logger, Exception error, int sequencesEnded, int heldBack);
}
