using System.Diagnostics;
using System.Threading.Channels;
using Mesh.Contracts.Hashing;
using Mesh.Engine.Inference;

namespace Mesh.Engine.Scheduling;

/// <summary>
/// One request inside the scheduler: its tokens (prompt, then generated), its KV blocks, and the channel its
/// tokens flow out through. Only the scheduler thread mutates it; readers get tokens from <see cref="Output"/>
/// and read the totals after the channel completes.
/// </summary>
public sealed class Sequence
{
    private readonly Channel<int> _output = Channel.CreateUnbounded<int>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = true,
    });

    public Sequence(long id, int[] prompt, int maxNewTokens, SamplingParameters sampling, int blockSize, CancellationToken cancellation)
    {
        // The scheduler computes from the prompt's last token; an empty prompt has none (requests are validated first).
        ArgumentOutOfRangeException.ThrowIfZero(prompt.Length);
        Id = id;
        PromptLength = prompt.Length;
        MaxNewTokens = maxNewTokens;
        Sampling = sampling;
        BlockSize = blockSize;
        Cancellation = cancellation;
        var capacity = prompt.Length + maxNewTokens;
        Tokens = new int[capacity];
        prompt.CopyTo(Tokens, 0);
        Length = prompt.Length;
        var maxBlocks = (capacity + blockSize - 1) / blockSize;
        BlockTable = new int[maxBlocks];
        BlockHashes = new ulong[maxBlocks];
        HashedBlocks = PrefixBlockHasher.FullBlockCount(prompt.Length, blockSize);
        PrefixBlockHasher.ComputeHashes(prompt, blockSize, BlockHashes);
        EnqueuedAt = Stopwatch.GetTimestamp();
    }

    public long Id { get; }

    public int PromptLength { get; }

    public int MaxNewTokens { get; }

    public SamplingParameters Sampling { get; }

    public int BlockSize { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>Prompt then generated tokens; the first <see cref="Length"/> are valid.</summary>
    public int[] Tokens { get; }

    public int Length { get; private set; }

    public int Generated => Length - PromptLength;

    public int[] BlockTable { get; }

    public int BlockCount { get; set; }

    /// <summary>Chained hashes of the full blocks of <see cref="Tokens"/>, the first <see cref="HashedBlocks"/> known.</summary>
    public ulong[] BlockHashes { get; }

    public int HashedBlocks { get; private set; }

    /// <summary>Blocks already registered in the prefix cache.</summary>
    public int RegisteredBlocks { get; set; }

    /// <summary>Positions whose keys and values are in the cache.</summary>
    public int ComputedTokens { get; set; }

    /// <summary>Prompt tokens served from the prefix cache at admission.</summary>
    public int CachedPromptTokens { get; set; }

    public bool Admitted { get; set; }

    public int Preemptions { get; set; }

    public long EnqueuedAt { get; }

    public long AdmittedAt { get; set; }

    public long FirstTokenAt { get; set; }

    public long FinishedAt { get; private set; }

    public string? FinishReason { get; private set; }

    public ChannelReader<int> Output => _output.Reader;

    public bool IsFinished => FinishReason is not null;

    public void Append(int token)
    {
        Tokens[Length++] = token;
        if (Length % BlockSize == 0)
        {
            var index = Length / BlockSize - 1;
            var parent = index == 0 ? PrefixBlockHasher.RootSeed : BlockHashes[index - 1];
            BlockHashes[index] = PrefixBlockHasher.HashBlock(parent, Tokens.AsSpan(index * BlockSize, BlockSize));
            HashedBlocks = index + 1;
        }
        _output.Writer.TryWrite(token);
    }

    public void Finish(string reason, Exception? error = null)
    {
        if (IsFinished)
        {
            return;
        }
        FinishReason = reason;
        FinishedAt = Stopwatch.GetTimestamp();
        _output.Writer.TryComplete(error);
    }
}
