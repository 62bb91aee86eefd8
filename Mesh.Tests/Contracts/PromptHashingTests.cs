using Mesh.Contracts.Hashing;
using Mesh.Contracts.Tokenization;

namespace Mesh.Tests.Contracts;

public sealed class PromptHashingTests
{
    private static readonly MeshTokenizer Tokenizer = MeshTokenizer.Instance;

    [Fact]
    public void A_conversation_renders_its_earlier_messages_to_the_same_ids_whatever_follows()
    {
        (string, string)[] start = [("system", "You are terse."), ("user", "Name three primes.")];
        (string, string)[] longer = [.. start, ("assistant", "2, 3, 5."), ("user", "And three more?")];

        var first = ChatTemplate.Render(Tokenizer, start);
        var second = ChatTemplate.Render(Tokenizer, longer);

        // Everything but the trailing generation prompt of the shorter one is a prefix of the longer one.
        var header = Tokenizer.Encode("<|assistant|>\n").Length;
        Assert.Equal(first[..^header], second[..(first.Length - header)]);
    }

    [Fact]
    public void Block_hashes_are_chained_so_equal_blocks_after_different_prefixes_differ()
    {
        int[] tokens = [.. Enumerable.Range(0, 48)];
        int[] other = [.. Enumerable.Range(100, 16), .. Enumerable.Range(16, 32)];
        var a = PrefixBlockHasher.ComputeHashes(tokens);
        var b = PrefixBlockHasher.ComputeHashes(other);

        Assert.Equal(3, a.Length);
        Assert.NotEqual(a[0], b[0]);
        Assert.NotEqual(a[1], b[1]); // same tokens 16..31, different prefix
        Assert.Equal(a, PrefixBlockHasher.ComputeHashes([.. tokens, 1, 2, 3])); // a partial block adds no hash
    }

    [Fact]
    public void Streamed_tokens_decode_to_the_same_text_as_the_whole()
    {
        var text = "naïve café 🙂 done";
        var ids = Tokenizer.Encode(text);
        var decoder = new IncrementalDecoder(Tokenizer);
        var streamed = string.Concat(ids.Select(decoder.Push)) + decoder.Flush();
        Assert.Equal(text, streamed);
    }
}

/// <summary>The tokenizer gives cl100k's ids for ordinary text and bounds the cost of pathological input.</summary>
public sealed class MeshTokenizerTests
{
    [Fact]
    public void Ordinary_text_gets_exactly_the_ids_of_cl100k()
    {
        var reference = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var text = "The mesh routes a request to the engine that holds its prefix: https://example.com/" + new string('a', 200) + " and more.";
        Assert.Equal(reference.EncodeToIds(text, considerPreTokenization: true, considerNormalization: false),
            Mesh.Contracts.Tokenization.MeshTokenizer.Instance.Encode(text));
    }

    [Fact]
    public void A_run_without_whitespace_longer_than_the_limit_is_encoded_in_pieces()
    {
        var tokenizer = Mesh.Contracts.Tokenization.MeshTokenizer.Instance;
        var limit = Mesh.Contracts.Tokenization.MeshTokenizer.MaxRunLength;
        int[] pieces = [.. tokenizer.Encode(new string('x', limit)), .. tokenizer.Encode(new string('x', limit)), .. tokenizer.Encode(new string('x', 10))];
        Assert.Equal(pieces, tokenizer.Encode(new string('x', 2 * limit + 10)));
    }
}
