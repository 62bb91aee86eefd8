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
/// </summary>
public sealed partial class RedisRegistrySync(
    IConnectionMultiplexer redis,
    EngineRegistry registry,
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
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogUnavailable(ex.Message); // the multiplexer re-subscribes when it reconnects
        }
    }

    private async Task OnMessageAsync(RedisValue message)
    {
        EngineHeartbeat? heartbeat;
        try
        {
            heartbeat = JsonSerializer.Deserialize(message.ToString(), RegistryJsonContext.Default.EngineHeartbeat);
        }
        catch (JsonException)
        {
            heartbeat = null;
        }
        if (heartbeat is null)
        {
            registry.RejectHeartbeat("(unparseable)", 0);
            return;
        }
        if (registry.OnHeartbeatMessage(heartbeat) != HeartbeatVerdict.NeedsVerification)
        {
            return;
        }
        var registered = await ReadKeyAsync(heartbeat.Id);
        if (registered is not null && registered.Epoch == heartbeat.Epoch)
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
            foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                await foreach (var key in server.KeysAsync(db.Database, RedisKeys.EnginePattern, pageSize: 500))
                {
                    keys.Add(key);
                }
            }
            var values = keys.Count == 0 ? [] : await db.StringGetAsync([.. keys]);
            var heartbeats = new List<EngineHeartbeat>(values.Length);
            foreach (var value in values)
            {
                if (value.HasValue && TryParse(value.ToString()) is { } heartbeat)
                {
                    heartbeats.Add(heartbeat);
                }
            }
            registry.ApplyKeys(heartbeats, complete: time.GetUtcNow() >= _graceUntil);
            if (_failing)
            {
                _failing = false;
                LogRecovered();
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
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
            return value.HasValue ? TryParse(value.ToString()) : null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static EngineHeartbeat? TryParse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RegistryJsonContext.Default.EngineHeartbeat);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable for the engine registry ({Reason}); routing to the engines already known.")]
    private partial void LogUnavailable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back for the engine registry.")]
    private partial void LogRecovered();
}
