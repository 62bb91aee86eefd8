using System.Buffers.Binary;
using System.Globalization;
using Mesh.Contracts.Registry;
using Mesh.Coordinator.Telemetry;
using StackExchange.Redis;

namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// The prefix index in Redis: one sorted set per engine instance (<see cref="RedisKeys.PrefixIndex"/>), member = an
/// 8-byte block hash, score = last use in Unix milliseconds. A lookup for every candidate engine and an update
/// after a request are each one server-side script, so one round trip. TTL: entries older than the TTL do not
/// match and are purged on update; the set itself expires a TTL after its last update. Cap: beyond the engine's
/// KV capacity the lowest scores are popped. Memory is therefore bounded by the live engines' capacities.
/// When Redis is unreachable, lookups find nothing (routing goes on by load) and updates are skipped.
/// </summary>
public sealed partial class RedisPrefixIndex(
    IConnectionMultiplexer redis,
    TimeProvider time,
    TimeSpan ttl,
    CoordinatorMetrics metrics,
    ILogger<RedisPrefixIndex> logger) : IPrefixIndex
{
    // KEYS: one sorted set per engine. ARGV[1]: the oldest score still alive. ARGV[2..]: the prompt's block hashes in order.
    private const string LookupScript = """
        local result = {}
        local alive = tonumber(ARGV[1])
        for k = 1, #KEYS do
          local matched = 0
          for i = 2, #ARGV do
            local score = redis.call('ZSCORE', KEYS[k], ARGV[i])
            if not score or tonumber(score) < alive then break end
            matched = matched + 1
          end
          result[k] = matched
        end
        return result
        """;

    // KEYS[1]: the engine's sorted set. ARGV: forget-others flag, oldest score alive, capacity, set TTL in ms, then score/member pairs.
    private const string RecordScript = """
        if ARGV[1] == '1' then redis.call('DEL', KEYS[1]) end
        for i = 5, #ARGV, 2 do
          redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
        if excess > 0 then redis.call('ZPOPMIN', KEYS[1], excess) end
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return redis.call('ZCARD', KEYS[1])
        """;

    private int _failing;

    public string Kind => "redis";

    public async ValueTask<int[]> LookupAsync(IReadOnlyList<EngineInstance> engines, ReadOnlyMemory<ulong> blockHashes, CancellationToken cancellationToken)
    {
        if (engines.Count == 0 || blockHashes.IsEmpty)
        {
            return new int[engines.Count];
        }
        var keys = new RedisKey[engines.Count];
        for (var e = 0; e < keys.Length; e++)
        {
            keys[e] = RedisKeys.PrefixIndex(engines[e].Id, engines[e].Epoch);
        }
        var values = new RedisValue[blockHashes.Length + 1];
        values[0] = PrefixScores.ExpiredBefore(Now(), ttl).ToString("R", CultureInfo.InvariantCulture);
        Members(blockHashes.Span, values.AsSpan(1));
        try
        {
            metrics.PrefixIndexRoundTrip("lookup");
            var result = await redis.GetDatabase().ScriptEvaluateAsync(LookupScript, keys, values);
            Recovered();
            return (int[])result!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex);
            return new int[engines.Count];
        }
    }

    public async ValueTask RecordAsync(EngineInstance engine, ReadOnlyMemory<ulong> blockHashes, bool forgetOthers, CancellationToken cancellationToken)
    {
        if (blockHashes.IsEmpty && !forgetOthers)
        {
            return;
        }
        var nowMs = Now();
        var hashes = blockHashes.Span;
        var values = new RedisValue[4 + 2 * hashes.Length];
        values[0] = forgetOthers ? "1" : "0";
        values[1] = PrefixScores.ExpiredBefore(nowMs, ttl).ToString("R", CultureInfo.InvariantCulture);
        values[2] = Math.Max(1, engine.CapacityBlocks);
        values[3] = (long)Math.Ceiling(ttl.TotalMilliseconds);
        for (var i = 0; i < hashes.Length; i++)
        {
            values[4 + 2 * i] = PrefixScores.For(nowMs, i, hashes.Length).ToString("R", CultureInfo.InvariantCulture);
            values[5 + 2 * i] = Member(hashes[i]);
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
