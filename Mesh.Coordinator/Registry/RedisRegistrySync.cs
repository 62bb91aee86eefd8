using System.Text.Json;
using Mesh.Contracts.Registry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Coordinator.Registry;

/// <summary>
/// Keeps the registry in step with Redis: every refresh interval it reads all heartbeat keys (new engines join,
/// expired ones leave within one heartbeat TTL), and between scans it takes load updates from the heartbeat
/// channel. A channel message that does not match a registered instance is checked against its key: confirmed,
/// it is applied at once; not confirmed, it is an unknown sender. While Redis is unreachable the registry is left
/// as it is: engines keep serving. A Redis that comes back may be empty (restarted without persistence) until the
/// engines' next beats, so for a grace period after reconnecting a missing key does not remove its engine.
/// <para>
/// With a mesh secret, only heartbeats whose signature holds are read at all (<see cref="HeartbeatSigner"/>), and only
/// recent ones (sent within <see cref="CoordinatorOptions.HeartbeatMaxAge"/>): a forged or replayed heartbeat, in a key
/// or on the channel, is dropped and counted as an unknown sender. A key that holds something unverifiable does not
/// remove the engine it names (someone overwrote it; the engine's next beat restores it), nor add one.
/// </para>
/// </summary>
internal sealed partial class RedisRegistrySync(
    IConnectionMultiplexer redis,
    EngineRegistry registry,
    HeartbeatSigner signer,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    ILogger<RedisRegistrySync> logger) : BackgroundService
{
    private bool _failing;
    private DateTimeOffset _graceUntil = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += (_, _) => _graceUntil = time.GetUtcNow() + options.Value.RegistryGraceAfterReconnect;
        await SubscribeAsync();
        using var timer = new PeriodicTimer(options.Value.RegistryRefreshInterval);
        do
        {
            await ScanAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    private async Task SubscribeAsync()
    {
        try
        {
            var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisKeys.HeartbeatChannel));
            channel.OnMessage(async message => await OnMessageAsync(message.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnavailable(ex.Message); // the multiplexer re-subscribes when it reconnects
        }
    }

    private async Task OnMessageAsync(RedisValue message)
    {
        try
        {
            await ApplyMessageAsync(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMessageFailed(ex.Message);
        }
    }

    private async Task ApplyMessageAsync(RedisValue message)
    {
        if (Read(message.ToString()) is not { } heartbeat)
        {
            registry.RejectHeartbeat("(unverified)", 0);
            return;
        }
        if (registry.OnHeartbeatMessage(heartbeat) != HeartbeatVerdict.NeedsVerification)
        {
            return;
        }
        var registered = await ReadKeyAsync(heartbeat.Id);
        if (registered is not null && registered.Epoch == heartbeat.Epoch && registered.Url == heartbeat.Url)
        {
            registry.ApplyKeys([registered], complete: false);
        }
        else
        {
            registry.RejectHeartbeat(heartbeat.Id, heartbeat.Epoch);
        }
    }

    private async Task ScanAsync()
    {
        if (redis.GetServers().All(s => !s.IsConnected))
        {
            Failed("no Redis server is connected");
            return;
        }
        try
        {
            var db = redis.GetDatabase();
            var keys = new List<RedisKey>();
            var primaries = redis.GetServers().Where(s => !s.IsReplica).ToList();
            // On a Redis Cluster with a node away, the keys it holds cannot be read: their engines are not gone.
            var everyNodeRead = primaries.All(s => s.IsConnected);
            foreach (var server in primaries.Where(s => s.IsConnected))
            {
                await foreach (var key in server.KeysAsync(db.Database, RedisKeys.EnginePattern, pageSize: 500))
                {
                    keys.Add(key);
                }
            }
            // One GET per key, pipelined: on a Redis Cluster the keys live in different slots, which MGET refuses.
            var values = await Task.WhenAll(keys.Select(key => db.StringGetAsync(key)));
            var heartbeats = new List<EngineHeartbeat>(values.Length);
            var present = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < values.Length; i++)
            {
                if (!values[i].HasValue)
                {
                    continue;
                }
                var id = ((string)keys[i]!)[RedisKeys.EnginePrefix.Length..];
                present.Add(id);
                if (Read(values[i].ToString()) is { } heartbeat && heartbeat.Id == id)
                {
                    heartbeats.Add(heartbeat);
                }
                else
                {
                    registry.RejectHeartbeat(id, 0);
                }
            }
            registry.ApplyKeys(heartbeats, complete: everyNodeRead && time.GetUtcNow() >= _graceUntil, present);
            if (_failing)
            {
                _failing = false;
                LogRecovered();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever Redis answers (a cluster refusing a command, a node gone), the registry keeps what it knows and
            // the next scan tries again: a background service that threw would stop the coordinator.
            Failed(ex.Message);
        }
    }

    private void Failed(string reason)
    {
        _graceUntil = time.GetUtcNow() + options.Value.RegistryGraceAfterReconnect;
        if (!_failing)
        {
            _failing = true;
            LogUnavailable(reason);
        }
    }

    private async Task<EngineHeartbeat?> ReadKeyAsync(string engineId)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(RedisKeys.Engine(engineId));
            return value.HasValue ? Read(value.ToString()) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>A heartbeat whose signature holds (when the mesh has a secret), that parses, and that was sent recently.</summary>
    private EngineHeartbeat? Read(string value)
    {
        if (!signer.TryVerify(value, out var json, out _))
        {
            return null;
        }
        EngineHeartbeat? heartbeat;
        try
        {
            heartbeat = JsonSerializer.Deserialize(json, RegistryJsonContext.Default.EngineHeartbeat);
        }
        catch (JsonException)
        {
            return null;
        }
        if (heartbeat is null || (signer.Enabled && Math.Abs(time.GetUtcNow().ToUnixTimeMilliseconds() - heartbeat.SentAtUnixMs) > options.Value.HeartbeatMaxAge.TotalMilliseconds))
        {
            return null;
        }
        return heartbeat;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable for the engine registry ({Reason}); routing to the engines already known.")]
    private partial void LogUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A heartbeat from the channel could not be checked ({Reason}); the next scan reads it from its key.")]
    private partial void LogMessageFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back for the engine registry.")]
    private partial void LogRecovered();
}
