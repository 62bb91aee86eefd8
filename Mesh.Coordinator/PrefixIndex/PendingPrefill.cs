using System.Globalization;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// A prefill a coordinator has sent an engine and not yet seen a first token for: work ahead of every later request
/// there, whichever coordinator routes it. It is removed at the first token, and expires on its own should its
/// coordinator go away first.
/// </summary>
public readonly record struct PendingPrefill(string RequestId, ulong FirstBlock, int Tokens, TimeSpan ExpiresAfter)
{
    /// <summary>The entry as the index stores it: <c>{first block hash}:{request id}:{tokens}</c>.</summary>
    public string Member => string.Create(CultureInfo.InvariantCulture, $"{FirstBlock:x16}:{RequestId}:{Tokens}");

    public static string FirstBlockKey(ulong firstBlock) => firstBlock.ToString("x16", CultureInfo.InvariantCulture);
}
