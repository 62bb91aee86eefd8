namespace Mesh.Tests.Infrastructure;

/// <summary>
/// The one way tests wait: poll a condition until it holds or a generous deadline passes, then fail with what
/// was last seen. Nothing waits for a fixed time; a loaded machine only makes the wait longer.
/// </summary>
public static class Eventually
{
    /// <summary>Long enough for a 2-core machine under heavy load; a passing wait returns as soon as its condition holds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    public static Task TrueAsync(Func<bool> condition, Func<string> lastSeen, TimeSpan? timeout = null) =>
        MatchAsync(() => Task.FromResult(condition()), ok => ok, _ => lastSeen(), timeout);

    public static Task TrueAsync(Func<Task<bool>> condition, Func<string> lastSeen, TimeSpan? timeout = null) =>
        MatchAsync(condition, ok => ok, _ => lastSeen(), timeout);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="accept"/> takes its value, and returns that value.</summary>
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, Func<T, string> describe, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(10);
        T value;
        Exception? lastError;
        while (true)
        {
            lastError = null;
            try
            {
                value = await probe();
                if (accept(value))
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // A service that is restarting refuses connections for a moment: keep waiting.
                value = default!;
                lastError = ex;
            }
            if (DateTime.UtcNow >= deadline)
            {
                break;
            }
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(250, delay.TotalMilliseconds * 2));
        }
        var seen = lastError is not null ? $"{lastError.GetType().Name}: {lastError.Message}" : describe(value);
        throw new TimeoutException($"The condition did not hold within {timeout ?? DefaultTimeout}. Last seen: {seen}");
    }
}
