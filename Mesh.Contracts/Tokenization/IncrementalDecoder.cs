namespace Mesh.Contracts.Tokenization;

/// <summary>
/// Turns a stream of token ids into text pieces. A multi-byte character can be split across tokens, so a
/// token whose text ends in a replacement character is held until the following tokens complete it.
/// </summary>
public sealed class IncrementalDecoder(MeshTokenizer tokenizer)
{
    private const int MaxPendingTokens = 4;
    private readonly List<int> _pending = new(MaxPendingTokens);

    /// <summary>Adds one token; returns the text it completes, or an empty string while a character is still partial.</summary>
    public string Push(int tokenId)
    {
        if (MeshTokenizer.IsEndOfSequence(tokenId))
        {
            return Flush();
        }
        _pending.Add(tokenId);
        var text = tokenizer.Decode(_pending);
        if (text.Length > 0 && text[^1] == '\uFFFD' && _pending.Count < MaxPendingTokens)
        {
            return string.Empty;
        }
        _pending.Clear();
        return text;
    }

    /// <summary>Whatever is still held, decoded as it is.</summary>
    public string Flush()
    {
        if (_pending.Count == 0)
        {
            return string.Empty;
        }
        var text = tokenizer.Decode(_pending);
        _pending.Clear();
        return text;
    }
}
