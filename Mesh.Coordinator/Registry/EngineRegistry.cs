using System.Collections.Concurrent;
using Mesh.Contracts.Registry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Registry;

/// <summary>
/// The engines the coordinator routes to: engines known from their Redis heartbeats, plus static backends from
/// configuration. A heartbeat key is the authority on who exists: a new epoch of a known engine replaces it
/// (and its prefix metadata is dropped), a vanished key removes it, and anything claiming an identity the keys
/// do not confirm (an unknown id, an older epoch) is counted as an unknown sender and ignored.
/// </summary>
public sealed partial class EngineRegistry
{
    private readonly ConcurrentDictionary<string, EngineEntry> _engines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _localModels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _draining = new(StringComparer.Ordinal);
    private readonly CoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<EngineRegistry> _logger;

    public EngineRegistry(IOptions<CoordinatorOptions> options, TimeProvider time, ILogger<EngineRegistry> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        foreach (var backend in _options.StaticBackends)
        {
            var heartbeat = new EngineHeartbeat
            {
                Id = backend.Name,
                Epoch = 0,
                Url = BaseUrl(backend.Url),
                Tier = backend.Tier,
                Model = backend.Model ?? "*",
                KvCapacityBlocks = 0,
                BlockSize = Contracts.Hashing.PrefixBlockHasher.DefaultBlockSize,
                ContextWindow = backend.ContextWindow,
                Load = new EngineLoad { MaxRunning = backend.MaxConcurrency, MaxWaiting = 0 },
            };
            _engines[backend.Name] = new EngineEntry(heartbeat, isStatic: true, NewBreaker(), _options.Scoring.DefaultPrefillMsPerToken, _options.Scoring.DefaultServiceMs)
            {
                ApiKey = backend.ApiKey,
                UpstreamModel = backend.Model,
            };
        }
    }

    /// <summary>An engine instance whose prefix metadata is no longer valid (a new epoch, or the engine is gone).</summary>
    public event Action<PrefixIndex.EngineInstance>? InstanceRetired;

    /// <summary>Raised when an engine (a new id) joins.</summary>
    public event Action<EngineEntry>? EngineJoined;

    /// <summary>Raised for every heartbeat or report that claims an identity the registry does not confirm.</summary>
    public event Action<string>? UnknownSender;

    public IReadOnlyCollection<EngineEntry> Engines => (IReadOnlyCollection<EngineEntry>)_engines.Values;

    public int RoutableCount => _engines.Values.Count(e => e.Breaker.AllowsRouting);

    /// <summary>
    /// A draining engine gets no new requests; those it is serving finish. By id, so it holds across the engine's
    /// restarts until <see cref="Resume"/>.
    /// </summary>
    public bool IsDraining(string id) => _draining.ContainsKey(id);

    /// <summary>Drains a known engine; false for an id the registry does not hold.</summary>
    public bool Drain(string id) => _engines.ContainsKey(id) && _draining.TryAdd(id, true) | true;

    public bool Resume(string id) => _engines.ContainsKey(id) && (_draining.TryRemove(id, out _) | true);

    public EngineEntry? Find(string id) => _engines.GetValueOrDefault(id);

    /// <summary>Whether the mesh's own engines serve (or have served) this model, even if none is up right now.</summary>
    public bool IsLocalModel(string model) => _localModels.ContainsKey(model);

    /// <summary>
    /// An engine serves its own model. A static backend serves the model it is configured with (<c>Model</c>), and,
    /// when it is in the cloud tier or names no model, the mesh's own models too: it is their fallback, and requests are
    /// rewritten to its model. A name nothing serves is a 404, never the cloud's problem.
    /// </summary>
    public bool Serves(EngineEntry engine, string model) => engine.IsStatic
        ? string.Equals(engine.UpstreamModel, model, StringComparison.Ordinal)
            || ((engine.Tier == EngineTier.Cloud || engine.UpstreamModel is null) && IsLocalModel(model))
        : string.Equals(engine.Model, model, StringComparison.Ordinal);

    /// <summary>Every model a client can ask for: the engines' and the static backends' own.</summary>
    public IEnumerable<string> ServedModels => _localModels.Keys.Concat(_engines.Values.Where(e => e.IsStatic && e.UpstreamModel is not null).Select(e => e.UpstreamModel!))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>
    /// Applies the full set of heartbeat keys read from Redis: adds new engines, renews epochs, and removes
    /// engines whose key expired. Engines not seen are removed only when <paramref name="complete"/> (a full scan),
    /// and not those whose key exists but held nothing verifiable (<paramref name="present"/>).
    /// </summary>
    public void ApplyKeys(IReadOnlyCollection<EngineHeartbeat> heartbeats, bool complete, IReadOnlySet<string>? present = null)
    {
        var now = _time.GetUtcNow();
        foreach (var heartbeat in heartbeats)
        {
            Accept(heartbeat, now, source: "heartbeat_key");
        }
        if (!complete)
        {
            return;
        }
        var seen = heartbeats.Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
        if (present is not null)
        {
            seen.UnionWith(present);
        }
        foreach (var entry in _engines.Values)
        {
            if (!entry.IsStatic && !seen.Contains(entry.Id) && _engines.TryRemove(entry.Id, out _))
            {
                LogRemoved(entry.Id, entry.Epoch);
                InstanceRetired?.Invoke(entry.Instance);
            }
        }
    }

    /// <summary>A heartbeat message from the pub/sub channel: trusted only when it matches a registered (id, epoch).</summary>
    public HeartbeatVerdict OnHeartbeatMessage(EngineHeartbeat heartbeat)
    {
        var entry = Find(heartbeat.Id);
        if (entry is null || entry.IsStatic || heartbeat.Epoch > entry.Epoch)
        {
            return HeartbeatVerdict.NeedsVerification;
        }
        if (heartbeat.Epoch < entry.Epoch)
        {
            Reject(heartbeat.Id, heartbeat.Epoch, "heartbeat");
            return HeartbeatVerdict.Rejected;
        }
        entry.Update(heartbeat);
        entry.LastHeartbeatAt = _time.GetUtcNow();
        return HeartbeatVerdict.Accepted;
    }

    /// <summary>A heartbeat message that no registration key backs (or that does not even parse).</summary>
    public void RejectHeartbeat(string engineId, long epoch) => Reject(engineId, epoch, "heartbeat");

    /// <summary>
    /// An engine's report about a request (its response headers): trusted only from the instance the registry
    /// knows. A newer epoch means the engine restarted since its last heartbeat; it is trusted once its key says so.
    /// </summary>
    public bool ValidateReport(EngineEntry engine, string? reportedId, long? reportedEpoch)
    {
        if (engine.IsStatic || (reportedId == engine.Id && reportedEpoch == engine.Epoch))
        {
            return true;
        }
        if (reportedId == engine.Id && reportedEpoch > engine.Epoch)
        {
            return false; // restarted since its last heartbeat: the next key scan brings the new epoch
        }
        Reject(reportedId ?? "(none)", reportedEpoch ?? 0, "report");
        return false;
    }

    private void Accept(EngineHeartbeat heartbeat, DateTimeOffset now, string source)
    {
        if (!_engines.TryGetValue(heartbeat.Id, out var entry))
        {
            entry = new EngineEntry(heartbeat, isStatic: false, NewBreaker(), _options.Scoring.DefaultPrefillMsPerToken, _options.Scoring.DefaultServiceMs)
            {
                LastHeartbeatAt = now,
            };
            if (_engines.TryAdd(heartbeat.Id, entry))
            {
                _localModels.TryAdd(heartbeat.Model, true);
                LogAdded(heartbeat.Id, heartbeat.Epoch, heartbeat.Url, heartbeat.Tier);
                EngineJoined?.Invoke(entry);
                return;
            }
            entry = _engines[heartbeat.Id];
        }
        if (entry.IsStatic)
        {
            Reject(heartbeat.Id, heartbeat.Epoch, source);
            return;
        }
        var previous = entry.Epoch;
        if (heartbeat.Epoch < previous)
        {
            Reject(heartbeat.Id, heartbeat.Epoch, source);
            return;
        }
        var retired = entry.Instance;
        entry.Update(heartbeat);
        entry.LastHeartbeatAt = now;
        _localModels.TryAdd(heartbeat.Model, true);
        if (heartbeat.Epoch > previous)
        {
            LogNewEpoch(heartbeat.Id, previous, heartbeat.Epoch);
            InstanceRetired?.Invoke(retired);
        }
    }

    private void Reject(string id, long epoch, string source)
    {
        LogUnknownSender(source, id, epoch);
        UnknownSender?.Invoke(source);
    }

    /// <summary>A backend URL with or without its <c>/v1</c>: the proxy appends <c>/v1/...</c> paths.</summary>
    private static string BaseUrl(string url)
    {
        var trimmed = url.TrimEnd('/');
        return trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? trimmed[..^3] : trimmed;
    }

    private CircuitBreaker NewBreaker() =>
        new(_options.CircuitBreaker.FailureThreshold, _options.CircuitBreaker.BreakDuration, _time);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine {EngineId} joined (epoch {Epoch}, {Url}, tier {Tier}).")]
    private partial void LogAdded(string engineId, long epoch, string url, string tier);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine {EngineId} left: its heartbeat expired (epoch {Epoch}).")]
    private partial void LogRemoved(string engineId, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine {EngineId} has a new epoch {Epoch} (was {Previous}): its prefix metadata is dropped.")]
    private partial void LogNewEpoch(string engineId, long previous, long epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a {Source} from unknown sender {EngineId} (epoch {Epoch}).")]
    private partial void LogUnknownSender(string source, string engineId, long epoch);
}

public enum HeartbeatVerdict
{
    Accepted,
    Rejected,
    NeedsVerification,
}
