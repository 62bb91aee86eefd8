using Mesh.Contracts.Registry;

namespace Mesh.Coordinator.Registry;

/// <summary>
/// What the coordinator knows of one engine: its identity and load from the latest heartbeat, its own requests
/// in flight to it, the prefill cost and service time it has learned from responses, and its circuit breaker.
/// </summary>
public sealed class EngineEntry
{
    private int _inFlight;
    private int _pendingPrefillTokens;
    private long _epoch;

    public EngineEntry(EngineHeartbeat heartbeat, bool isStatic, CircuitBreaker breaker, double defaultPrefillMsPerToken, double defaultServiceMs)
    {
        Id = heartbeat.Id;
        IsStatic = isStatic;
        Breaker = breaker;
        PrefillCostLearned = heartbeat.Load.PrefillMsPerToken > 0;
        PrefillMsPerToken = PrefillCostLearned ? heartbeat.Load.PrefillMsPerToken : defaultPrefillMsPerToken;
        ServiceMs = defaultServiceMs;
        Heartbeat = heartbeat;
        _epoch = heartbeat.Epoch;
    }

    public string Id { get; }

    public bool IsStatic { get; }

    /// <summary>The latest heartbeat (replaced whole, so readers see one consistent beat).</summary>
    public EngineHeartbeat Heartbeat { get; private set; }

    public long Epoch => Interlocked.Read(ref _epoch);

    public string Url => Heartbeat.Url;

    public EngineTier Tier => EngineTiers.TryParse(Heartbeat.Tier, out var tier) ? tier : EngineTier.Local;

    public string TierName => Heartbeat.Tier;

    public string Model => Heartbeat.Model;

    public CircuitBreaker Breaker { get; }

    /// <summary>For static backends: the key to send upstream and the model name to rewrite requests to.</summary>
    public string? ApiKey { get; init; }

    public string? UpstreamModel { get; init; }

    /// <summary>Requests this coordinator has in flight to the engine right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Prompt tokens this coordinator has sent the engine and not yet seen a first token for: prefill work ahead of
    /// a new request. The prefix index shares the same figure across coordinators; this one is what the coordinator
    /// knows on its own, when the index cannot be reached. (A figure from the heartbeat would be up to an interval old,
    /// by when that prefill is usually done.)
    /// </summary>
    public int PendingPrefillTokens => Volatile.Read(ref _pendingPrefillTokens);

    public void AddPendingPrefill(int tokens) => Interlocked.Add(ref _pendingPrefillTokens, tokens);

    /// <summary>Learned milliseconds of prefill per uncached prompt token (moving average).</summary>
    public double PrefillMsPerToken { get; private set; }

    /// <summary>Whether <see cref="PrefillMsPerToken"/> comes from a measurement (the engine's heartbeat or a reported prefill), not the default.</summary>
    public bool PrefillCostLearned { get; private set; }

    /// <summary>The instance's slot in the prefix index.</summary>
    public PrefixIndex.EngineInstance Instance => new(Id, Epoch, Heartbeat.KvCapacityBlocks, Heartbeat.Model);

    /// <summary>Learned milliseconds a request occupies a slot (moving average), for the queue-wait estimate.</summary>
    public double ServiceMs { get; private set; }

    public DateTimeOffset LastHeartbeatAt { get; set; }

    /// <summary>Sequences the engine runs at once; beyond this, requests queue.</summary>
    public int Slots => Math.Max(1, Heartbeat.Load.MaxRunning);

    /// <summary>Requests it can hold at all (running plus its waiting queue).</summary>
    public int Capacity => Slots + Math.Max(0, Heartbeat.Load.MaxWaiting);

    /// <summary>The larger of what the engine last reported and what this coordinator alone has sent it.</summary>
    public int Load => Math.Max(Heartbeat.Load.Running + Heartbeat.Load.Waiting, InFlight);

    public bool IsFull => Load >= Capacity;

    public void Update(EngineHeartbeat heartbeat)
    {
        if (!PrefillCostLearned && heartbeat.Load.PrefillMsPerToken > 0)
        {
            PrefillMsPerToken = heartbeat.Load.PrefillMsPerToken;
            PrefillCostLearned = true;
        }
        Heartbeat = heartbeat;
        Interlocked.Exchange(ref _epoch, heartbeat.Epoch);
    }

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Learns the prefill cost from a reported prefill. Short prefills say little about the cost per token (one
    /// forward step has a fixed cost), so only those of at least <see cref="MinTokensToLearnFrom"/> tokens count. The
    /// first <see cref="WarmupSamples"/> measurements are averaged (the default is only a guess, and one of them may be a
    /// cold start); after that one observation moves the estimate at most by half or double, so a single slow step on a
    /// busy machine does not make an engine look expensive.
    /// </summary>
    public void LearnPrefill(double prefillMs, int computedTokens, double rate)
    {
        if (computedTokens < MinTokensToLearnFrom || prefillMs <= 0)
        {
            return;
        }
        var sample = prefillMs / computedTokens;
        if (_prefillSamples < WarmupSamples)
        {
            _prefillSamples++;
            PrefillMsPerToken = _prefillSamples == 1 && !PrefillCostLearned ? sample : PrefillMsPerToken + (sample - PrefillMsPerToken) / (_prefillSamples + 1);
            PrefillCostLearned = true;
            return;
        }
        sample = Math.Clamp(sample, PrefillMsPerToken / 2, PrefillMsPerToken * 2);
        PrefillMsPerToken += rate * (sample - PrefillMsPerToken);
    }

    public const int WarmupSamples = 4;

    private int _prefillSamples;

    public const int MinTokensToLearnFrom = 64;

    public void LearnServiceTime(double milliseconds, double rate) => ServiceMs += rate * (milliseconds - ServiceMs);
}
