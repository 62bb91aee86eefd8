using Mesh.Contracts.Hashing;
using Mesh.Contracts.Tokenization;

namespace Mesh.Bench.Routing;

/// <summary>
/// The best any router could do on a request stream: a mesh that never loses a cached prefix. Each request reuses the
/// longest run of leading blocks that any earlier request's prompt had, hashed exactly as the engines hash them (the
/// same tokenizer, chat template, block size and chained hash). The oracle hit rate is the share of prompt tokens reused.
/// </summary>
public sealed class PrefixOracle
{
    private PrefixOracle(int[] promptTokens, int[] cachedTokens)
    {
        PromptTokens = promptTokens;
        CachedTokens = cachedTokens;
    }

    /// <summary>Each request's prompt length in tokens, as the coordinator will count it.</summary>
    public int[] PromptTokens { get; }

    /// <summary>Each request's cached tokens under the oracle.</summary>
    public int[] CachedTokens { get; }

    public double HitRate => CachedTokens.Sum(c => (long)c) / (double)PromptTokens.Sum(p => (long)p);

    public double AveragePromptTokens => PromptTokens.Average();

    /// <summary>
    /// The time to first token of each request under the oracle on an idle engine: its uncached tokens (at least the last
    /// one, which must run for the first token) times the prefill cost. No router can do better; no queue is counted.
    /// </summary>
    public double[] IdealTtftMs(double prefillMsPerToken) =>
        [.. PromptTokens.Select((prompt, i) => Math.Max(1, prompt - CachedTokens[i]) * prefillMsPerToken)];

    public static PrefixOracle For(Workload workload, int blockSize = PrefixBlockHasher.DefaultBlockSize)
    {
        var seen = new HashSet<ulong>();
        var prompts = new int[workload.Requests.Count];
        var cached = new int[workload.Requests.Count];
        foreach (var request in workload.Requests.OrderBy(r => r.ArrivalAtUnitRate))
        {
            var tokens = ChatTemplate.Render(MeshTokenizer.Instance, request.Messages);
            var hashes = PrefixBlockHasher.ComputeHashes(tokens, blockSize);
            var matched = 0;
            while (matched < hashes.Length && seen.Contains(hashes[matched]))
            {
                matched++;
            }
            prompts[request.Index] = tokens.Length;
            cached[request.Index] = Math.Min(tokens.Length, matched * blockSize);
            seen.UnionWith(hashes);
        }
        return new PrefixOracle(prompts, cached);
    }
}
