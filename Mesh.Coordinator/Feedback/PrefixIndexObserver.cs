using Mesh.Coordinator.Forwarding;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Telemetry;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Feedback;

/// <summary>
/// Keeps the prefix index true to what the engines hold. The routing choice is recorded as the request leaves, with
/// its pending prefill, not when the prefill is done: requests for the same prefix arriving meanwhile then follow it
/// instead of each prefilling it somewhere else. When the first token comes, the engine's report is checked against
/// the prediction: stale metadata is counted and corrected, and an engine reached by failover or migration gets its
/// record now that it holds the prompt. Index writes are never awaited on the way out: they give up on their own when
/// Redis is away.
/// </summary>
internal sealed partial class PrefixIndexObserver(
    IPrefixIndex prefixIndex,
    EngineRegistry registry,
    CoordinatorMetrics metrics,
    IOptions<CoordinatorOptions> options,
    ILogger<PrefixIndexObserver> logger) : IAttemptObserver
{
    private readonly TimeSpan _prefillExpiry = options.Value.FirstTokenTimeout;

    public void OnSending(Attempt attempt)
    {
        if (Pending(attempt) is { } pending)
        {
            _ = prefixIndex.RecordAsync(attempt.Engine.Instance, attempt.Request.BlockHashes, attempt.Candidate.MatchedBlocks, pending, CancellationToken.None).AsTask();
        }
    }

    public void OnSent(Attempt attempt)
    {
        if (Pending(attempt) is { } pending)
        {
            _ = prefixIndex.CompletePrefillAsync(attempt.Engine.Instance, pending, CancellationToken.None).AsTask();
        }
    }

    public async ValueTask OnStartedAsync(Attempt attempt, EngineStream stream)
    {
        var engine = attempt.Engine;
        if (engine.IsStatic || !registry.ValidateReport(engine, stream.EngineId, stream.EngineEpoch))
        {
            return;
        }
        var request = attempt.Request;
        var stale = false;
        if (stream.CachedTokens is { } observed && !attempt.Replacement)
        {
            var predicted = Math.Min(request.PromptTokens.Length, attempt.Candidate.MatchedBlocks * engine.Heartbeat.BlockSize);
            metrics.Prediction(engine.Id, predicted, observed);
            attempt.Trace.Request?.SetTag(Contracts.Telemetry.TraceAttributes.PredictedCachedTokens, predicted);
            // A request that overlapped another one's prefill of the same prefix finds only what that one has computed so far.
            if (observed < predicted && !attempt.Candidate.PrefillingSamePrefix)
            {
                stale = true;
                metrics.StaleDetected(request.PolicyName, engine.Id, engine.TierName);
                LogStale(engine.Id, predicted, observed);
            }
        }
        if (stale || attempt.Replacement)
        {
            var reused = (stream.CachedTokens ?? 0) / engine.Heartbeat.BlockSize;
            await prefixIndex.RecordAsync(engine.Instance, request.BlockHashes, reused, null, CancellationToken.None);
        }
    }

    /// <summary>The prefill this attempt puts ahead of later requests on its engine: only the router's choice has one.</summary>
    private PendingPrefill? Pending(Attempt attempt) =>
        !attempt.Replacement && !attempt.Engine.IsStatic && attempt.Request.BlockHashes.Length > 0
            ? new PendingPrefill(attempt.Request.RequestId, attempt.Request.BlockHashes[0], attempt.Candidate.UncachedTokens, _prefillExpiry)
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stale prefix metadata for {EngineId}: predicted {Predicted} cached tokens, it had {Observed}; its entries are corrected.")]
    private partial void LogStale(string engineId, int predicted, int observed);
}
