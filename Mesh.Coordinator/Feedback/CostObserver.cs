using Mesh.Coordinator.Forwarding;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Feedback;

/// <summary>
/// What routing predicts from: the prefill an engine has on its way (added as a request leaves, removed when its first
/// token comes or it fails), the prefill cost per token the engine reports, and how long a whole request takes there.
/// </summary>
internal sealed class CostObserver(IOptions<CoordinatorOptions> options) : IAttemptObserver
{
    private readonly double _learningRate = options.Value.Scoring.LearningRate;

    public void OnSending(Attempt attempt) => attempt.Engine.AddPendingPrefill(attempt.Candidate.UncachedTokens);

    public void OnSent(Attempt attempt) => attempt.Engine.AddPendingPrefill(-attempt.Candidate.UncachedTokens);

    public ValueTask OnStartedAsync(Attempt attempt, EngineStream stream)
    {
        if (stream.PrefillMs is { } prefillMs && stream.PromptTokens is { } prompt)
        {
            attempt.Engine.LearnPrefill(prefillMs, prompt - (stream.CachedTokens ?? 0), _learningRate);
        }
        return ValueTask.CompletedTask;
    }

    public void OnFinished(Attempt attempt, TimeSpan elapsed) => attempt.Engine.LearnServiceTime(elapsed.TotalMilliseconds, _learningRate);
}
