namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// Keeps Redis off the critical path when it is away. Every call is bounded by a short timeout; a call that fails or
/// times out opens the circuit, and while it is open calls are not made at all: the caller gets its fallback at once
/// (a lookup that finds nothing, so routing goes on by load from local state). After <see cref="RetryAfter"/> one call
/// is let through as a probe; its success closes the circuit.
/// </summary>
internal sealed class RedisCircuit(TimeProvider time, TimeSpan timeout, TimeSpan retryAfter)
{
    private long _openUntil;
    private int _probing;

    public TimeSpan Timeout { get; } = timeout;

    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>Whether calls are being skipped right now.</summary>
    public bool IsOpen => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _openUntil);

    /// <summary>Raised when the circuit opens (with the reason) and when a probe closes it again (with null).</summary>
    public event Action<string?>? StateChanged;

    /// <summary>Runs <paramref name="call"/> unless the circuit is open; its failure, or a timeout, gives <paramref name="fallback"/>.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> call, T fallback)
    {
        var probe = false;
        if (Interlocked.Read(ref _openUntil) != 0)
        {
            if (IsOpen || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
            {
                return fallback;
            }
            probe = true;
        }
        try
        {
            var result = await call().WaitAsync(Timeout, time);
            if (probe || Interlocked.Read(ref _openUntil) != 0)
            {
                Interlocked.Exchange(ref _openUntil, 0);
                StateChanged?.Invoke(null);
            }
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var wasClosed = Interlocked.Exchange(ref _openUntil, (time.GetUtcNow() + RetryAfter).UtcTicks) == 0;
            if (wasClosed)
            {
                StateChanged?.Invoke(ex.Message);
            }
            return fallback;
        }
        finally
        {
            if (probe)
            {
                Interlocked.Exchange(ref _probing, 0);
            }
        }
    }

    public Task RunAsync(Func<Task> call) => RunAsync(async () =>
    {
        await call();
        return true;
    }, false);
}
