using Microsoft.ML.Tokenizers;

namespace Mesh.Contracts.Tokenization;

/// <summary>
/// The one tokenizer of the mesh: cl100k_base through Microsoft.ML.Tokenizers. The coordinator hashes
/// prompt blocks with it and the engine feeds the same ids to its model, so both see identical tokens.
/// </summary>
/// <remarks>
/// Byte-pair encoding of one pre-tokenized word takes time quadratic in its length, so a prompt of a million letters
/// without a space would hold a core for minutes. Runs of more than <see cref="MaxRunLength"/> characters without
/// whitespace are therefore encoded in pieces of that length: ordinary text is unaffected (its ids are exactly
/// cl100k's), a pathological run costs linear time, and coordinator and engine still agree because both call this.
/// </remarks>
public sealed class MeshTokenizer
{
    public const int EndOfTextId = 100257;
    public const int EndOfPromptId = 100276;

    /// <summary>Ids 0..100255 are byte-pair tokens, 100257..100260 and 100276 are special; the rest are unassigned.</summary>
    public const int VocabularySize = 100277;

    private const int LastRegularId = 100255;

    public const int MaxRunLength = 256;

    private static readonly Lazy<MeshTokenizer> Shared = new(() => new MeshTokenizer());

    private readonly TiktokenTokenizer _tokenizer;

    private MeshTokenizer() => _tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    /// <summary>The process-wide instance; loading the vocabulary takes ~100 ms, so it is done once.</summary>
    public static MeshTokenizer Instance => Shared.Value;

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        EncodeInto(text, ids);
        return [.. ids];
    }

    public void EncodeInto(string text, List<int> destination)
    {
        var start = 0;
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            run = char.IsWhiteSpace(text[i]) ? 0 : run + 1;
            if (run > MaxRunLength)
            {
                EncodePiece(text.AsSpan(start, i - start), destination);
                start = i;
                run = 1;
            }
        }
        EncodePiece(text.AsSpan(start), destination);
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> destination)
    {
        if (!piece.IsEmpty)
        {
            destination.AddRange(_tokenizer.EncodeToIds(piece, considerPreTokenization: true, considerNormalization: false));
        }
    }

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);

    /// <summary>True for ids that decode to text or are a known special token; the sampler never picks the others.</summary>
    public static bool IsAssigned(int id) =>
        id is >= 0 and <= LastRegularId || id is >= EndOfTextId and <= 100260 || id == EndOfPromptId;

    public static bool IsEndOfSequence(int id) => id is EndOfTextId or EndOfPromptId;
}
