using Mesh.Contracts.Registry;
using Mesh.Engine.Model;
using Mesh.Engine.Telemetry;

namespace Mesh.Engine.Registry;

/// <summary>
/// Who this engine is: its id, its instance epoch (new on every start, and on every cache reset, so metadata
/// about the old cache contents is invalid at once), tier, model and capacity.
/// </summary>
public sealed class EngineIdentity(string id, EngineTier tier, ModelInfo model, int kvCapacityBlocks, int blockSize, TimeProvider time)
{
    private long _epoch = time.GetUtcNow().ToUnixTimeMilliseconds();

    public string Id { get; } = id;

    public long Epoch => Interlocked.Read(ref _epoch);

    public EngineTier Tier { get; } = tier;

    public ModelInfo Model { get; } = model;

    public int KvCapacityBlocks { get; } = kvCapacityBlocks;

    public int BlockSize { get; } = blockSize;

    /// <summary>The URL other services reach this engine at; known once the server listens.</summary>
    public string? Url { get; set; }

    /// <summary>Raised when the epoch changes, so the heartbeat announces it at once.</summary>
    public event Action? EpochRenewed;

    /// <summary>Starts a new epoch (strictly greater than the last).</summary>
    public long RenewEpoch()
    {
        var next = Math.Max(Epoch + 1, time.GetUtcNow().ToUnixTimeMilliseconds());
        Interlocked.Exchange(ref _epoch, next);
        EpochRenewed?.Invoke();
        return next;
    }

    public EngineHeartbeat ToHeartbeat(EngineStatistics statistics, int maxRunning, int maxWaiting) => new()
    {
        Id = Id,
        Epoch = Epoch,
        Url = Url ?? string.Empty,
        Tier = Tier.ToWire(),
        Model = Model.ServedName,
        KvCapacityBlocks = KvCapacityBlocks,
        BlockSize = BlockSize,
        ContextWindow = Model.ContextWindow,
        Simulated = Model.IsSimulated,
        SentAtUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
        Load = new EngineLoad
        {
            Running = statistics.Running,
            Waiting = statistics.Waiting,
            MaxRunning = maxRunning,
            MaxWaiting = maxWaiting,
            KvBlocksUsed = statistics.KvBlocksUsed,
            KvBlocksCached = statistics.KvBlocksCached,
            PrefillMsPerToken = statistics.PrefillMsPerToken,
            DecodeMsPerStep = statistics.DecodeMsPerStep,
        },
    };

    /// <summary>
    /// The default id: the replica's name when an orchestrator named it, else <c>engine-</c> and eight random letters.
    /// Aspire gives each replica <c>service.instance.id</c> = its name's suffix and <c>OTEL_SERVICE_NAME</c> = the
    /// resource's name, so the replica <c>engine-abcdefgh</c> of the dashboard is the engine <c>engine-abcdefgh</c>.
    /// </summary>
    public static string DefaultId(string? resourceAttributes, string? serviceName = null)
    {
        foreach (var pair in (resourceAttributes ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0] == "service.instance.id" && parts[1].Length > 0)
            {
                return serviceName is { Length: > 0 } && !parts[1].StartsWith(serviceName + "-", StringComparison.Ordinal)
                    ? $"{serviceName}-{parts[1]}"
                    : parts[1];
            }
        }
        return "engine-" + string.Create(8, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + Random.Shared.Next(26));
            }
        });
    }
}
