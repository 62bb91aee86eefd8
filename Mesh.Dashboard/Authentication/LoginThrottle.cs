using System.Collections.Concurrent;
using System.Net;

namespace Mesh.Dashboard.Authentication;

/// <summary>
/// Slows down guessing the browser token: each client address may try <see cref="Attempts"/> tokens per minute; past
/// that it is answered 429 with Retry-After until the minute is over. The token has 128 bits, so this is not what keeps
/// it safe; it keeps a script from hammering the login and the log.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int Attempts = 10;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTrackedClients = 10_000;

    private readonly ConcurrentDictionary<IPAddress, (DateTimeOffset WindowStart, int Count)> _clients = new();

    /// <summary>Counts an attempt; null when it may go ahead, else how long the client must wait.</summary>
    public TimeSpan? TryAttempt(IPAddress? client)
    {
        var now = time.GetUtcNow();
        if (_clients.Count > MaxTrackedClients)
        {
            foreach (var (address, entry) in _clients)
            {
                if (now - entry.WindowStart >= Window)
                {
                    _clients.TryRemove(address, out _);
                }
            }
        }
        var (windowStart, count) = _clients.AddOrUpdate(client ?? IPAddress.None, _ => (now, 1),
            (_, entry) => now - entry.WindowStart >= Window ? (now, 1) : (entry.WindowStart, entry.Count + 1));
        return count > Attempts ? windowStart + Window - now : null;
    }
}
