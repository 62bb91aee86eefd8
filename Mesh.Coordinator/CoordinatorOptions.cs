using System.ComponentModel.DataAnnotations;
using Mesh.Coordinator.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator;

/// <summary>Every setting of the coordinator, bound from the <c>Coordinator:</c> section.</summary>
public sealed class CoordinatorOptions
{
    public const string Section = "Coordinator";

    /// <summary>When set, every <c>/v1</c> request needs <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Web origins (e.g. <c>https://app.example.com</c>) whose pages may call the API from a browser. Empty (the default):
    /// none, so a page on another site cannot use a local mesh on a visitor's behalf.
    /// </summary>
    public List<string> CorsAllowedOrigins { get; set; } = [];

    /// <summary>The name of a registered routing policy (<c>prefix_aware</c> by default); a request overrides it with <c>x-mesh-policy</c>.</summary>
    [Required]
    public string DefaultPolicy { get; set; } = Contracts.Routing.RoutingPolicyNames.PrefixAware;

    /// <summary><c>LocalFirstWithCloudFallback</c> (default), <c>LocalOnly</c> or <c>CloudOnly</c>; a request overrides it with <c>x-mesh-tier-policy</c>.</summary>
    [RegularExpression("^(?i)(LocalOnly|CloudOnly|LocalFirstWithCloudFallback)$", ErrorMessage = "Coordinator:DefaultTierPolicy must be LocalOnly, CloudOnly or LocalFirstWithCloudFallback.")]
    public string DefaultTierPolicy { get; set; } = nameof(TierPolicy.LocalFirstWithCloudFallback);

    public TierPolicy ResolvedDefaultTierPolicy => TierPolicies.TryParse(DefaultTierPolicy, out var policy) ? policy : TierPolicy.LocalFirstWithCloudFallback;

    /// <summary>
    /// How often the registry re-reads every engine's heartbeat key, which removes engines whose key expired. Between
    /// scans the heartbeat channel brings load, epochs and new engines at once, so this only bounds how long a vanished
    /// engine stays routable (its key's TTL plus this).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.020", "00:01:00")]
    public TimeSpan RegistryRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With a mesh secret, a heartbeat sent longer ago than this (by its own clock) is not believed, so an old signed
    /// heartbeat replayed into Redis cannot keep a gone engine, or a gone epoch, routable.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HeartbeatMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>After Redis comes back, how long a missing heartbeat key does not remove its engine (a restarted Redis is empty until the engines beat again).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RegistryGraceAfterReconnect { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Engine URLs to poll at <c>/v1/engine/heartbeat</c> when there is no Redis. Aspire-style service references
    /// (<c>services__&lt;name&gt;__http__&lt;i&gt;</c>) are polled too.
    /// </summary>
    public List<string> Engines { get; set; } = [];

    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Completion length when a request names none (capped by the model's context window).</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxTokens { get; set; } = 256;

    /// <summary>Engines tried for one request before it counts as exhausted (the first try included).</summary>
    [Range(1, 16)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long an engine may take to start answering (queue and prefill included) before it counts as unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a request waits for a busy mesh to free a slot before it is answered 503 (when there is no cloud to fall back to).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Recent requests whose trace JSON stays available.</summary>
    [Range(16, 1_000_000)]
    public int RecentRequests { get; set; } = 2000;

    [ValidateObjectMembers]
    public PrefixIndexOptions PrefixIndex { get; set; } = new();

    [ValidateObjectMembers]
    public ScoringOptions Scoring { get; set; } = new();

    [ValidateObjectMembers]
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>Backends that do not heartbeat: a vLLM server, a cloud provider, any OpenAI-compatible endpoint.</summary>
    [ValidateEnumeratedItems]
    public List<StaticBackendOptions> StaticBackends { get; set; } = [];
}

public sealed class PrefixIndexOptions
{
    /// <summary>An entry not refreshed within this time vanishes. Engines keep unheld blocks until capacity pressure evicts them; a few minutes suits the demo's traffic.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Use the in-process index even when Redis is configured (a single coordinator, tests).</summary>
    public bool Embedded { get; set; }

    /// <summary>How long a routing decision waits for Redis before it routes by load alone; a timeout opens the circuit.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>While the circuit is open, Redis is not asked at all; after this long one request tries it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class ScoringOptions
{
    /// <summary>Prefill cost assumed for an engine before it reports one.</summary>
    [Range(0.0001, 1000)]
    public double DefaultPrefillMsPerToken { get; set; } = 0.3;

    /// <summary>Weight of a new observation in the learned prefill cost (exponential moving average).</summary>
    [Range(0.01, 1)]
    public double LearningRate { get; set; } = 0.2;

    /// <summary>Service time assumed per request before one is observed, for the queue-wait estimate.</summary>
    [Range(1, 600_000)]
    public double DefaultServiceMs { get; set; } = 500;

    /// <summary>
    /// Under <c>prefix_aware</c>, what a second copy of a cached prefix costs, as a multiple of the prefill it repeats:
    /// the holder keeps a request until its queue costs more than (1 + this) times the prefill the hit saves.
    /// 0 is greedy time-to-first-token routing.
    /// </summary>
    [Range(0, 100)]
    public double ReplicationWeight { get; set; } = 2;
}

public sealed class CircuitBreakerOptions
{
    [Range(1, 100)]
    public int FailureThreshold { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class StaticBackendOptions
{
    [Required]
    public string Name { get; set; } = string.Empty;

    [Required]
    [Url]
    public string Url { get; set; } = string.Empty;

    [RegularExpression("^(local|cloud)$")]
    public string Tier { get; set; } = "cloud";

    public string? ApiKey { get; set; }

    /// <summary>The model name the backend expects; requests are rewritten to it. Empty: the requested name is passed on.</summary>
    public string? Model { get; set; }

    [Range(1, 1_000_000)]
    public int MaxConcurrency { get; set; } = 64;

    [Range(1, 10_000_000)]
    public int ContextWindow { get; set; } = 128_000;
}

[OptionsValidator]
public sealed partial class CoordinatorOptionsValidator : IValidateOptions<CoordinatorOptions>;
