using System.Text.Json;
using Mesh.Contracts.Registry;
using Mesh.Engine.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.Engine.Registry;

/// <summary>
/// Publishes the engine's identity and load to Redis every interval (a key with a TTL of a few intervals, and
/// a message on the heartbeat channel), signed with the mesh secret when there is one, at once when the epoch changes,
/// and deletes the key on graceful shutdown. Redis being down only delays the next beat: the engine keeps serving.
/// </summary>
public sealed partial class RedisHeartbeatService(
    IConnectionMultiplexer redis,
    EngineIdentity identity,
    EngineStatistics statistics,
    IOptions<EngineOptions> options,
    EngineAddress address,
    HeartbeatSigner signer,
    ILogger<RedisHeartbeatService> logger) : BackgroundService
{
    private readonly EngineOptions _options = options.Value;
    private readonly SemaphoreSlim _beatNow = new(0, 1);
    private bool _lastBeatFailed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await address.Known.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        identity.EpochRenewed += OnEpochRenewed;
        LogRegistering(identity.Id, identity.Epoch, identity.Url);
        while (!stoppingToken.IsCancellationRequested)
        {
            await BeatAsync();
            try
            {
                await _beatNow.WaitAsync(_options.HeartbeatInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void OnEpochRenewed()
    {
        try
        {
            _beatNow.Release();
        }
        catch (SemaphoreFullException)
        {
            // A beat is already due.
        }
    }

    private async Task BeatAsync()
    {
        var heartbeat = identity.ToHeartbeat(statistics, _options.MaxRunningSequences, _options.MaxWaitingSequences);
        var json = signer.Sign(JsonSerializer.Serialize(heartbeat, RegistryJsonContext.Default.EngineHeartbeat));
        try
        {
            var db = redis.GetDatabase();
            var set = db.StringSetAsync(RedisKeys.Engine(identity.Id), json, _options.HeartbeatTtl);
            var publish = db.PublishAsync(RedisChannel.Literal(RedisKeys.HeartbeatChannel), json);
            await Task.WhenAll(set, publish);
            if (_lastBeatFailed)
            {
                LogRecovered();
            }
            _lastBeatFailed = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!_lastBeatFailed)
            {
                LogBeatFailed(ex.Message);
            }
            _lastBeatFailed = true;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        identity.EpochRenewed -= OnEpochRenewed;
        await base.StopAsync(cancellationToken);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisKeys.Engine(identity.Id)).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            LogDeregistered(identity.Id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            LogDeregisterFailed(ex.Message);
        }
    }

    public override void Dispose()
    {
        _beatNow.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registering in Redis as {EngineId} (epoch {Epoch}) at {Url}.")]
    private partial void LogRegistering(string engineId, long epoch, string? url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat to Redis failed ({Reason}); still serving, retrying every interval.")]
    private partial void LogBeatFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeat to Redis recovered.")]
    private partial void LogRecovered();

    [LoggerMessage(Level = LogLevel.Information, Message = "Deregistered {EngineId} from Redis.")]
    private partial void LogDeregistered(string engineId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deregister from Redis ({Reason}); the key expires with its TTL.")]
    private partial void LogDeregisterFailed(string reason);
}
