using System.Buffers.Binary;
using System.Globalization;
using Mesh.Contracts.Caching;
using Mesh.Contracts.Registry;
using Mesh.Coordinator.Telemetry;
using StackExchange.Redis;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The prefix index in Redis: one sorted set per engine instance (<see cref="RedisKeys.PrefixIndex"/>), member = an
/// 8-byte block hash, score as <see cref="PrefixScores"/> defines it (last use, plus a band for reused blocks). A
/// lookup for every candidate engine and an update after a request are each one server-side script, so one round
/// trip. TTL: entries older than the TTL do not match and are purged on update; the set itself expires a TTL after
/// its last update. Cap: reused blocks beyond the engine's protected share fall back to the unprotected band, and
/// beyond the engine's KV capacity the lowest scores are popped. Memory is therefore bounded by the live engines'
/// capacities. When Redis is unreachable, lookups find nothing (routing goes on by load) and updates are skipped.
/// </summary>
public sealed partial class RedisPrefixIndex(
    IConnectionMultiplexer redis,
    TimeProvider time,
    TimeSpan ttl,
    CoordinatorMetrics metrics,
    ILogger<RedisPrefixIndex> logger) : IPrefixIndex
{
    // KEYS: one sorted set per engine. ARGV[1]: the oldest relative time still alive. ARGV[2]: the protected band.
    // ARGV[3..]: the prompt's block hashes in order. Returns, per engine, the blocks matched and the protected entries alive.
    private const string LookupScript = """
        local result = {}
        local alive = tonumber(ARGV[1])
        local band = tonumber(ARGV[2])
        for k = 1, #KEYS do
          local matched = 0
          for i = 3, #ARGV do
            local score = redis.call('ZSCORE', KEYS[k], ARGV[i])
            if not score then break end
            score = tonumber(score)
            if score >= band then score = score - band end
            if score < alive then break end
            matched = matched + 1
          end
          result[2 * k - 1] = matched
          result[2 * k] = redis.call('ZCOUNT', KEYS[k], band + alive, '+inf')
        end
        return result
        """;

    // KEYS[1]: the engine's sorted set. ARGV: forget-others flag, oldest relative time alive, capacity, set TTL in ms,
    // protected band, protected limit, reused blocks, then score/member pairs (unprotected scores, head first).
    private const string RecordScript = """
        local key = KEYS[1]
        if ARGV[1] == '1' then redis.call('DEL', key) end
        local alive = tonumber(ARGV[2])
        local band = tonumber(ARGV[5])
        local reused = tonumber(ARGV[7])
        local block = 0
        for i = 8, #ARGV, 2 do
          local score = tonumber(ARGV[i])
          if block < reused then
            score = score + band
          else
            local old = redis.call('ZSCORE', key, ARGV[i + 1])
            if old and tonumber(old) >= band then score = score + band end
          end
          redis.call('ZADD', key, score, ARGV[i + 1])
          block = block + 1
        end
        redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. alive)
        redis.call('ZREMRANGEBYSCORE', key, band, '(' .. (band + alive))
        local demote = redis.call('ZCOUNT', key, band, '+inf') - tonumber(ARGV[6])
        if demote > 0 then
          local oldest = redis.call('ZRANGEBYSCORE', key, band, '+inf', 'WITHSCORES', 'LIMIT', 0, demote)
          for j = 1, #oldest, 2 do redis.call('ZADD', key, tonumber(oldest[j + 1]) - band, oldest[j]) end
        end
        local excess = redis.call('ZCARD', key) - tonumber(ARGV[3])
        if excess > 0 then redis.call('ZPOPMIN', key, excess) end
        redis.call('PEXPIRE', key, ARGV[4])
        return redis.call('ZCARD', key)
        """;

    private int _failing;

    public string Kind => "redis";

    public async ValueTask<PrefixMatch[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        if (engines.Count == 0 || blockHashes.IsEmpty)
        {
            return new PrefixMatch[engines.Count];
        }
        var keys = new RedisKey[engines.Count];
        for (var e = 0; e < keys.Length; e++)
        {
            keys[e] = RedisKeys.PrefixIndex(engines[e].Id, engines[e].Epoch);
        }
        var values = new RedisValue[blockHashes.Length + 2];
        values[0] = Number(PrefixScores.ExpiredBefore(Now(), ttl));
        values[1] = Number(PrefixScores.ProtectedBand);
        Members(blockHashes.Span, values.AsSpan(2));
        try
        {
            metrics.PrefixIndexRoundTrip("lookup");
            var result = (long[])(await redis.GetDatabase().ScriptEvaluateAsync(LookupScript, keys, values))!;
            Recovered();
            var matches = new PrefixMatch[engines.Count];
            for (var e = 0; e < matches.Length; e++)
            {
                matches[e] = new PrefixMatch((int)result[2 * e], (int)result[2 * e + 1]);
            }
            return matches;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex);
            return new PrefixMatch[engines.Count];
        }
    }

    public async ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, int reusedBlocks, bool forgetOthers, CancellationToken cancellationToken)
    {
        if (blockHashes.IsEmpty && !forgetOthers)
        {
            return;
        }
        var nowMs = Now();
        var hashes = blockHashes.Span;
        var values = new RedisValue[7 + 2 * hashes.Length];
        values[0] = forgetOthers ? "1" : "0";
        values[1] = Number(PrefixScores.ExpiredBefore(nowMs, ttl));
        values[2] = Math.Max(1, engine.CapacityBlocks);
        values[3] = (long)Math.Ceiling(ttl.TotalMilliseconds);
        values[4] = Number(PrefixScores.ProtectedBand);
        values[5] = KvCacheEviction.ProtectedLimit(engine.CapacityBlocks);
        values[6] = reusedBlocks;
        for (var i = 0; i < hashes.Length; i++)
        {
            values[7 + 2 * i] = Number(PrefixScores.For(nowMs, i, hashes.Length));
            values[8 + 2 * i] = Member(hashes[i]);
        }
        try
        {
            metrics.PrefixIndexRoundTrip("record");
            await redis.GetDatabase().ScriptEvaluateAsync(RecordScript, [RedisKeys.PrefixIndex(engine.Id, engine.Epoch)], values);
            Recovered();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex);
        }
    }

    public async ValueTask DropAsync(string engineId, long epoch, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisKeys.PrefixIndex(engineId, epoch));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex); // the set expires on its own within one TTL
        }
    }

    public async ValueTask<long> CountAsync(EngineInstance engine, CancellationToken cancellationToken) =>
        await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.PrefixIndex(engine.Id, engine.Epoch));

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

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

    private void Failed(Exception ex)
    {
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            LogUnavailable(ex.Message);
        }
    }

    private void Recovered()
    {
        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            LogRecovered();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis prefix index is unavailable ({Reason}); routing by load until it is back.")]
    private partial void LogUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Redis prefix index is back.")]
    private partial void LogRecovered();
}
