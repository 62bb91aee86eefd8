using System.Collections.Concurrent;
using Mesh.Contracts.Caching;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The prefix index in this process, with the same semantics as <see cref="RedisPrefixIndex"/> (the same scores,
/// TTL, protected share, cap and per-instance expiry). Used when no Redis is configured: then only this coordinator sees it.
/// </summary>
public sealed class EmbeddedPrefixIndex(TimeProvider time, TimeSpan ttl) : IPrefixIndex
{
    private readonly ConcurrentDictionary<(string Id, long Epoch), InstanceEntries> _instances = new();

    public string Kind => "embedded";

    public ValueTask<PrefixMatch[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var alive = PrefixScores.ExpiredBefore(nowMs, ttl);
        var firstBlock = blockHashes.IsEmpty ? (ulong?)null : blockHashes.Span[0];
        var result = new PrefixMatch[engines.Count];
        for (var e = 0; e < engines.Count; e++)
        {
            if (_instances.TryGetValue((engines[e].Id, engines[e].Epoch), out var entries))
            {
                result[e] = entries.Match(blockHashes.Span, alive, PrefixScores.Time(nowMs), firstBlock);
            }
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, int reusedBlocks, PendingPrefill? pending, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = _instances.GetOrAdd((engine.Id, engine.Epoch), _ => new InstanceEntries());
        entries.Record(blockHashes.Span, reusedBlocks, nowMs, PrefixScores.ExpiredBefore(nowMs, ttl), engine.CapacityBlocks);
        if (pending is { } prefill)
        {
            entries.AddPending(prefill, PrefixScores.Time(nowMs) + prefill.ExpiresAfter.TotalMilliseconds);
        }
        PurgeIdleInstances(nowMs);
        return ValueTask.CompletedTask;
    }

    public ValueTask CompletePrefillAsync(EngineInstance engine, PendingPrefill pending, CancellationToken cancellationToken)
    {
        if (_instances.TryGetValue((engine.Id, engine.Epoch), out var entries))
        {
            entries.RemovePending(pending);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DropAsync(EngineInstance engine, CancellationToken cancellationToken)
    {
        _instances.TryRemove((engine.Id, engine.Epoch), out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_instances.TryGetValue((engine.Id, engine.Epoch), out var entries) ? (long)entries.Count : 0L);

    /// <summary>An instance nobody recorded for a whole TTL is dropped, as its Redis key would expire.</summary>
    private void PurgeIdleInstances(long nowMs)
    {
        foreach (var (key, entries) in _instances)
        {
            if (entries.LastTouchedMs < nowMs - ttl.TotalMilliseconds)
            {
                _instances.TryRemove(key, out _);
            }
        }
    }

    /// <summary>One instance's entries: score by hash, and the same ordered by score for eviction; and its pending prefills.</summary>
    private sealed class InstanceEntries
    {
        private readonly Dictionary<PendingPrefill, double> _pending = [];
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

        public PrefixMatch Match(ReadOnlySpan<ulong> hashes, double alive, double now, ulong? firstBlock)
        {
            lock (_lock)
            {
                var matched = 0;
                while (matched < hashes.Length && _scores.TryGetValue(hashes[matched], out var score) && PrefixScores.LastUse(score) >= alive)
                {
                    matched++;
                }
                var pendingTokens = 0;
                var samePrefix = false;
                foreach (var (prefill, expires) in _pending)
                {
                    if (expires > now)
                    {
                        pendingTokens += prefill.Tokens;
                        samePrefix |= prefill.FirstBlock == firstBlock;
                    }
                }
                return new PrefixMatch(matched, ProtectedFrom(PrefixScores.ProtectedBand + alive).Count, pendingTokens, samePrefix);
            }
        }

        public void AddPending(PendingPrefill prefill, double expires)
        {
            lock (_lock)
            {
                foreach (var expired in _pending.Where(p => p.Value <= expires - prefill.ExpiresAfter.TotalMilliseconds).Select(p => p.Key).ToList())
                {
                    _pending.Remove(expired);
                }
                _pending[prefill] = expires;
            }
        }

        public void RemovePending(PendingPrefill prefill)
        {
            lock (_lock)
            {
                _pending.Remove(prefill);
            }
        }

        public void Record(ReadOnlySpan<ulong> hashes, int reusedBlocks, long nowMs, double alive, int capacity)
        {
            lock (_lock)
            {
                LastTouchedMs = nowMs;
                for (var i = 0; i < hashes.Length; i++)
                {
                    var score = PrefixScores.For(nowMs, i, hashes.Length);
                    if (_scores.Remove(hashes[i], out var old))
                    {
                        _byScore.Remove((old, hashes[i]));
                        score += PrefixScores.IsProtected(old) ? PrefixScores.ProtectedBand : 0;
                    }
                    if (i < reusedBlocks && !PrefixScores.IsProtected(score))
                    {
                        score += PrefixScores.ProtectedBand;
                    }
                    Set(hashes[i], score);
                }
                RemoveWhere(entry => PrefixScores.LastUse(entry.Score) < alive);
                var protectedEntries = ProtectedFrom(PrefixScores.ProtectedBand);
                for (var excess = protectedEntries.Count - KvCacheEviction.ProtectedLimit(capacity); excess > 0; excess--)
                {
                    var oldest = protectedEntries.Min;
                    _byScore.Remove(oldest);
                    Set(oldest.Hash, oldest.Score - PrefixScores.ProtectedBand);
                }
                while (_byScore.Count > Math.Max(1, capacity))
                {
                    var lowest = _byScore.Min;
                    _byScore.Remove(lowest);
                    _scores.Remove(lowest.Hash);
                }
            }
        }

        private SortedSet<(double Score, ulong Hash)> ProtectedFrom(double lowest) =>
            _byScore.GetViewBetween((lowest, 0), (double.MaxValue, ulong.MaxValue));

        private void Set(ulong hash, double score)
        {
            _scores[hash] = score;
            _byScore.Add((score, hash));
        }

        private void RemoveWhere(Predicate<(double Score, ulong Hash)> expired)
        {
            foreach (var entry in _byScore.Where(e => expired(e)).ToList())
            {
                _byScore.Remove(entry);
                _scores.Remove(entry.Hash);
            }
        }
    }
}
