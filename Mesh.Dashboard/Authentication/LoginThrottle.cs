using System.Collections.Concurrent;
using System.Net;

namespace Mesh.Dashboard.Authentication;

/// <summary>
/// Slows down guessing the browser token: after <see cref="Attempts"/> wrong tokens from one client address within a
/// minute, every login from it is answered 429 with Retry-After until that minute is over. The token has 128 bits, so
/// this is not what keeps it safe; it keeps a script from hammering the login and the log.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time)
{
    public const int Attempts = 10;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int MaxTrackedClients = 10_000;

    private readonly ConcurrentDictionary<IPAddress, (DateTimeOffset WindowStart, int Count)> _clients = new();

    /// <summary>Null when the client may try a token, else how long it must wait.</summary>
    public TimeSpan? LockedOutFor(IPAddress? client)
    {
        var now = time.GetUtcNow();
        return _clients.TryGetValue(client ?? IPAddress.None, out var entry) && entry.Count >= Attempts && now - entry.WindowStart < Window
            ? entry.WindowStart + Window - now
            : null;
    }

    /// <summary>Counts a wrong token.</summary>
    public void Failed(IPAddress? client)
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
        _clients.AddOrUpdate(client ?? IPAddress.None, _ => (now, 1),
            (_, entry) => now - entry.WindowStart >= Window ? (now, 1) : (entry.WindowStart, entry.Count + 1));
    }
}
