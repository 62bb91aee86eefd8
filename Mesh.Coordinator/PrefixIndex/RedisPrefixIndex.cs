using System.Buffers.Binary;
using System.Globalization;
using Mesh.Contracts.Caching;
using Mesh.Contracts.Registry;
using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;
using StackExchange.Redis;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The prefix index in Redis: one sorted set per engine instance (<see cref="RedisKeys.PrefixIndex"/>), member = an
/// 8-byte block hash, score as <see cref="PrefixScores"/> defines it (last use, plus a band for reused blocks). A
/// lookup for every candidate engine and an update after a request are each one server-side script, so one round
/// trip, also on a Redis Cluster: every key carries its model as a hash tag, and a decision only looks at the engines of
/// one model, so all its keys share one slot. TTL: entries older than the TTL do not match and are purged on update; the set itself expires a TTL after
/// its last update. Cap: reused blocks beyond the engine's protected share fall back to the unprotected band, and
/// beyond the engine's KV capacity the lowest scores are popped. Memory is therefore bounded by the live engines'
/// capacities. Every call goes through a <see cref="RedisCircuit"/>: when Redis is away or slow, lookups find nothing
/// within the circuit's timeout (routing goes on by load) and, once it is open, at once; updates are skipped.
/// </summary>
internal sealed partial class RedisPrefixIndex : IPrefixIndex
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly Counter<long> _roundTrips;
    private readonly RedisCircuit _circuit;

    public RedisPrefixIndex(IConnectionMultiplexer redis, TimeProvider time, TimeSpan ttl, IMeterFactory meterFactory, RedisCircuit circuit, ILogger<RedisPrefixIndex> logger)
    {
        _redis = redis;
        _time = time;
        _ttl = ttl;
        _roundTrips = meterFactory.Create(MetricNames.CoordinatorMeter)
            .CreateCounter<long>(MetricNames.PrefixIndexRoundTrips, "{call}", "Round trips to the prefix index, by operation.");
        _circuit = circuit;
        _circuit.StateChanged += reason =>
        {
            if (reason is null)
            {
                LogRecovered(logger);
            }
            else
            {
                LogUnavailable(logger, reason, _circuit.RetryAfter.TotalSeconds);
            }
        };
    }

    // KEYS: for each engine, its prefix set then its pending-prefill set. ARGV[1]: the oldest relative time still alive.
    // ARGV[2]: the protected band. ARGV[3]: now (relative ms). ARGV[4]: the prompt's first block, as pending members
    // start. ARGV[5..]: the prompt's block hashes in order. Returns four numbers per engine: blocks matched, protected
    // entries alive, pending prefill tokens, and 1 when a pending prefill starts with the same first block.
    // The blocks are scored a window at a time with ZMSCORE, one command per window instead of one per block (a
    // 100,000-character prompt has about 1,300 blocks), and the windows grow so a short miss costs a short window.
    private const string LookupScript = """
        local result = {}
        local alive = tonumber(ARGV[1])
        local band = tonumber(ARGV[2])
        local first = ARGV[4]
        for k = 1, #KEYS, 2 do
          local matched = 0
          local from, window, missed = 5, 8, false
          while not missed and from <= #ARGV do
            local to = math.min(#ARGV, from + window - 1)
            local scores = redis.call('ZMSCORE', KEYS[k], unpack(ARGV, from, to))
            for i = 1, #scores do
              local score = scores[i]
              if not score then missed = true break end
              score = tonumber(score)
              if score >= band then score = score - band end
              if score < alive then missed = true break end
              matched = matched + 1
            end
            from = to + 1
            window = math.min(window * 4, 2048)
          end
          local pending, same = 0, 0
          for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[k + 1], '(' .. ARGV[3], '+inf')) do
            pending = pending + tonumber(string.match(member, ':(%d+)$'))
            if string.sub(member, 1, #first) == first then same = 1 end
          end
          local n = #result
          result[n + 1] = matched
          result[n + 2] = redis.call('ZCOUNT', KEYS[k], band + alive, '+inf')
          result[n + 3] = pending
          result[n + 4] = same
        end
        return result
        """;

    // KEYS[1]: the engine's prefix set; KEYS[2]: its pending-prefill set. ARGV: oldest relative time alive, capacity,
    // set TTL in ms, protected band, protected limit, reused blocks, now (relative ms), the pending member or '' and its
    // expiry, then score/member pairs (unprotected scores, head first). The blocks not reused keep the protection
    // they already had; their old scores are read, and all scores written, a window at a time (ZMSCORE, ZADD).
    private const string RecordScript = """
        local key = KEYS[1]
        local alive = tonumber(ARGV[1])
        local band = tonumber(ARGV[4])
        local reused = tonumber(ARGV[6])
        local blocks = (#ARGV - 9) / 2
        local window = 1024
        for first = 0, blocks - 1, window do
          local last = math.min(blocks, first + window) - 1
          local members = {}
          for b = first, last do members[#members + 1] = ARGV[11 + 2 * b] end
          local old = {}
          if last >= reused then old = redis.call('ZMSCORE', key, unpack(members)) end
          local entries = {}
          for b = first, last do
            local score = tonumber(ARGV[10 + 2 * b])
            local previous = old[b - first + 1]
            if b < reused or (previous and tonumber(previous) >= band) then score = score + band end
            entries[#entries + 1] = score
            entries[#entries + 1] = ARGV[11 + 2 * b]
          end
          redis.call('ZADD', key, unpack(entries))
        end
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. alive)
        redis.call('ZREMRANGEBYSCORE', key, band, '(' .. (band + alive))
        local demote = redis.call('ZCOUNT', key, band, '+inf') - tonumber(ARGV[5])
        if demote > 0 then
          local oldest = redis.call('ZRANGEBYSCORE', key, band, '+inf', 'WITHSCORES', 'LIMIT', 0, demote)
          for j = 1, #oldest, 2 do redis.call('ZADD', key, tonumber(oldest[j + 1]) - band, oldest[j]) end
        end
        local excess = redis.call('ZCARD', key) - tonumber(ARGV[2])
        if excess > 0 then redis.call('ZPOPMIN', key, excess) end
        redis.call('PEXPIRE', key, ARGV[3])
        if ARGV[8] ~= '' then
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[7])
          redis.call('ZADD', KEYS[2], ARGV[9], ARGV[8])
          redis.call('PEXPIRE', KEYS[2], ARGV[3])
        end
        return redis.call('ZCARD', key)
        """;

    public string Kind => "redis";

    public async ValueTask<PrefixMatch[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        if (engines.Count == 0 || blockHashes.IsEmpty)
        {
            return new PrefixMatch[engines.Count];
        }
        var keys = new RedisKey[2 * engines.Count];
        for (var e = 0; e < engines.Count; e++)
        {
            keys[2 * e] = RedisKeys.PrefixIndex(engines[e].Model, engines[e].Id, engines[e].Epoch);
            keys[2 * e + 1] = RedisKeys.PendingPrefill(engines[e].Model, engines[e].Id, engines[e].Epoch);
        }
        var nowMs = Now();
        var values = new RedisValue[blockHashes.Length + 4];
        values[0] = Number(PrefixScores.ExpiredBefore(nowMs, _ttl));
        values[1] = Number(PrefixScores.ProtectedBand);
        values[2] = Number(PrefixScores.Time(nowMs));
        values[3] = PendingPrefill.FirstBlockKey(blockHashes.Span[0]);
        Members(blockHashes.Span, values.AsSpan(4));
        var result = await _circuit.RunAsync(async () =>
        {
            _roundTrips.Add(1, new KeyValuePair<string, object?>("operation", "lookup"));
            return (long[]?)await _redis.GetDatabase().ScriptEvaluateAsync(LookupScript, keys, values);
        }, null);
        var matches = new PrefixMatch[engines.Count];
        for (var e = 0; result is not null && e < matches.Length; e++)
        {
            matches[e] = new PrefixMatch((int)result[4 * e], (int)result[4 * e + 1], (int)result[4 * e + 2], result[4 * e + 3] == 1);
        }
        return matches;
    }

    public async ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, int reusedBlocks, PendingPrefill? pending, CancellationToken cancellationToken)
    {
        if (blockHashes.IsEmpty)
        {
            return;
        }
        var nowMs = Now();
        var hashes = blockHashes.Span;
        var values = new RedisValue[9 + 2 * hashes.Length];
        values[0] = Number(PrefixScores.ExpiredBefore(nowMs, _ttl));
        values[1] = Math.Max(1, engine.CapacityBlocks);
        values[2] = (long)Math.Ceiling(_ttl.TotalMilliseconds);
        values[3] = Number(PrefixScores.ProtectedBand);
        values[4] = KvCacheEviction.ProtectedLimit(engine.CapacityBlocks);
        values[5] = reusedBlocks;
        values[6] = Number(PrefixScores.Time(nowMs));
        values[7] = pending?.Member ?? string.Empty;
        values[8] = pending is { } prefill ? Number(PrefixScores.Time(nowMs) + prefill.ExpiresAfter.TotalMilliseconds) : string.Empty;
        for (var i = 0; i < hashes.Length; i++)
        {
            values[9 + 2 * i] = Number(PrefixScores.For(nowMs, i, hashes.Length));
            values[10 + 2 * i] = Member(hashes[i]);
        }
        await _circuit.RunAsync(() =>
        {
            _roundTrips.Add(1, new KeyValuePair<string, object?>("operation", "record"));
            return _redis.GetDatabase().ScriptEvaluateAsync(RecordScript,
                [RedisKeys.PrefixIndex(engine.Model, engine.Id, engine.Epoch), RedisKeys.PendingPrefill(engine.Model, engine.Id, engine.Epoch)], values);
        });
    }

    /// <summary>Removes the pending entry without waiting for Redis's answer; should it be lost, the entry expires on its own.</summary>
    public async ValueTask CompletePrefillAsync(EngineInstance engine, PendingPrefill pending, CancellationToken cancellationToken) =>
        await _circuit.RunAsync(() => _redis.GetDatabase().SortedSetRemoveAsync(
            RedisKeys.PendingPrefill(engine.Model, engine.Id, engine.Epoch), pending.Member, CommandFlags.FireAndForget));

    /// <summary>Deletes both sets; should Redis be away, they expire on their own within one TTL.</summary>
    public async ValueTask DropAsync(EngineInstance engine, CancellationToken cancellationToken) =>
        await _circuit.RunAsync(() => _redis.GetDatabase().KeyDeleteAsync(
            [RedisKeys.PrefixIndex(engine.Model, engine.Id, engine.Epoch), RedisKeys.PendingPrefill(engine.Model, engine.Id, engine.Epoch)]));

    /// <summary>The entries held, or -1 when Redis cannot say right now.</summary>
    public async ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken) =>
        await _circuit.RunAsync(() => _redis.GetDatabase().SortedSetLengthAsync(RedisKeys.PrefixIndex(engine.Model, engine.Id, engine.Epoch)), -1L);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Members(ReadOnlySpan<ulong> hashes, Span<RedisValue> destination)
    {
        for (var i = 0; i < hashes.Length; i++)
        {
            destination[i] = Member(hashes[i]);
        }
    }

    private static RedisValue Member(ulong hash)
    {
        var bytes = new byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, hash);
        return bytes;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis prefix index is unavailable ({Reason}); routing by load from local state, trying again every {RetrySeconds} s.")]
    private static partial void LogUnavailable(ILogger logger, string reason, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Redis prefix index is back.")]
    private static partial void LogRecovered(ILogger logger);
}
