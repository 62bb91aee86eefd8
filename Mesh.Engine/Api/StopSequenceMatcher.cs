namespace Mesh.Engine.Api;

/// <summary>
/// Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held back until
/// the next piece decides it, so a client never sees part of a stop sequence.
/// </summary>
public sealed class StopSequenceMatcher(IReadOnlyList<string>? stops)
{
    private readonly IReadOnlyList<string> _stops = stops ?? [];
    private string _pending = string.Empty;

    public bool Stopped { get; private set; }

    /// <summary>Adds a piece of text; returns what can be sent now (everything before a stop sequence, once one is found).</summary>
    public string Append(string piece)
    {
        if (Stopped)
        {
            return string.Empty;
        }
        if (_stops.Count == 0)
        {
            return piece;
        }
        var text = _pending + piece;
        var stopAt = -1;
        foreach (var stop in _stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
            {
                stopAt = at;
            }
        }
        if (stopAt >= 0)
        {
            Stopped = true;
            _pending = string.Empty;
            return text[..stopAt];
        }
        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > hold; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    hold = length;
                    break;
                }
            }
        }
        _pending = text[^hold..];
        return text[..^hold];
    }

    /// <summary>At the end of the stream, the held-back text was not a stop sequence after all.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = string.Empty;
        return Stopped ? string.Empty : rest;
    }
}
