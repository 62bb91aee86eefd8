using System.Collections.Concurrent;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The prefix index in this process, with the same semantics as <see cref="RedisPrefixIndex"/> (TTL by score, cap by
/// least recent score, per-instance expiry). Used when no Redis is configured: then only this coordinator sees it.
/// </summary>
public sealed class EmbeddedPrefixIndex(TimeProvider time, TimeSpan ttl) : IPrefixIndex
{
    private readonly ConcurrentDictionary<(string Id, long Epoch), InstanceEntries> _instances = new();

    public string Kind => "embedded";

    public ValueTask<int[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var minScore = PrefixScores.ExpiredBefore(nowMs, ttl);
        var result = new int[engines.Count];
        for (var e = 0; e < engines.Count; e++)
        {
            if (_instances.TryGetValue((engines[e].Id, engines[e].Epoch), out var entries))
            {
                result[e] = entries.MatchPrefix(blockHashes.Span, minScore);
            }
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, bool forgetOthers, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = _instances.GetOrAdd((engine.Id, engine.Epoch), _ => new InstanceEntries());
        entries.Record(blockHashes.Span, forgetOthers, nowMs, PrefixScores.ExpiredBefore(nowMs, ttl), engine.CapacityBlocks);
        PurgeIdleInstances(nowMs);
        return ValueTask.CompletedTask;
    }

    public ValueTask DropAsync(string engineId, long epoch, CancellationToken cancellationToken)
    {
        _instances.TryRemove((engineId, epoch), out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_instances.TryGetValue((engine.Id, engine.Epoch), out var entries) ? (long)entries.Count : 0L);

    /// <summary>An instance nobody recorded for a whole TTL is dropped, as its Redis key would expire.</summary>
    private void PurgeIdleInstances(long nowMs)
    {
        foreach (var (key, entries) in _instances)
        {
            if (entries.LastTouchedMs < PrefixScores.ExpiredBefore(nowMs, ttl))
            {
                _instances.TryRemove(key, out _);
            }
        }
    }

    /// <summary>One instance's entries: score by hash, and the same ordered by score for eviction.</summary>
    private sealed class InstanceEntries
    {
        private readonly Dictionary<ulong, double> _scores = [];
        private readonly SortedSet<(double Score, ulong Hash)> _byScore = [];
        private readonly Lock _lock = new();

        public long LastTouchedMs { get; private set; }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _scores.Count;
                }
            }
        }

        public int MatchPrefix(ReadOnlySpan<ulong> hashes, double minScore)
        {
            lock (_lock)
            {
                var matched = 0;
                while (matched < hashes.Length && _scores.TryGetValue(hashes[matched], out var score) && score >= minScore)
                {
                    matched++;
                }
                return matched;
            }
        }

        public void Record(ReadOnlySpan<ulong> hashes, bool forgetOthers, long nowMs, double minScore, int capacity)
        {
            lock (_lock)
            {
                LastTouchedMs = nowMs;
                if (forgetOthers)
                {
                    _scores.Clear();
                    _byScore.Clear();
                }
                for (var i = 0; i < hashes.Length; i++)
                {
                    if (_scores.Remove(hashes[i], out var old))
                    {
                        _byScore.Remove((old, hashes[i]));
                    }
                    var score = PrefixScores.For(nowMs, i, hashes.Length);
                    _scores[hashes[i]] = score;
                    _byScore.Add((score, hashes[i]));
                }
                while (_byScore.Count > 0 && (_byScore.Min.Score < minScore || _byScore.Count > capacity))
                {
                    var oldest = _byScore.Min;
                    _byScore.Remove(oldest);
                    _scores.Remove(oldest.Hash);
                }
            }
        }
    }
}
