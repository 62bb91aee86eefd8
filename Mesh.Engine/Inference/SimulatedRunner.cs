using System.Diagnostics;
using Mesh.Contracts.Tokenization;

namespace Mesh.Engine.Inference;

/// <summary>
/// The simulated backend, for routing benchmarks at scale: the scheduler and the KV-cache bookkeeping are the
/// real ones, but a step takes the time a cost model gives instead of computing anything, and the tokens are
/// drawn from a small word list. Its rates are calibrated per real backend (see <see cref="SimulationCostModel"/>).
/// </summary>
public sealed class SimulatedRunner : IModelRunner
{
    private static readonly string[] Words =
    [
        " the", " mesh", " routes", " a", " request", " to", " an", " engine", " that", " holds", " its", " prefix",
        " cache", " and", " streams", " tokens", " back", " while", " every", " decision", " is", " traced", ".",
        " simulated", " output", " of", " no", " meaning",
    ];

    private readonly SimulationCostModel _costs;
    private readonly int[] _wordTokens;
    private long _debtTicks;

    public SimulatedRunner(SimulationOptions options, MeshTokenizer tokenizer)
    {
        _costs = options.CostModel;
        _wordTokens = [.. Words.Select(word => tokenizer.Encode(word)[0])];
    }

    public string Description =>
        $"simulated: prefill {_costs.PrefillMsPerToken} ms/token, decode {_costs.DecodeStepMs} ms/step + {_costs.DecodeMsPerSequence} ms/sequence";

    public bool IsSimulated => true;

    /// <summary>The time the real backend would take for this batch.</summary>
    public TimeSpan Cost(ForwardBatch batch)
    {
        var ms = batch.PrefillRows * _costs.PrefillMsPerToken;
        if (batch.DecodeRows > 0)
        {
            ms += _costs.DecodeStepMs + batch.DecodeRows * _costs.DecodeMsPerSequence;
        }
        return TimeSpan.FromMilliseconds(ms);
    }

    public void Execute(ForwardBatch batch, Span<int> sampled)
    {
        for (var i = 0; i < batch.SampleCount; i++)
        {
            var draw = Sampler.UniformDraw(batch.Sampling[i].Seed, batch.SamplePositions[i]);
            sampled[i] = _wordTokens[(int)(draw * _wordTokens.Length)];
        }
        Wait(Cost(batch));
    }

    /// <summary>Sleeps whole milliseconds and carries the remainder, so the average rate matches the model even below the timer's resolution.</summary>
    private void Wait(TimeSpan cost)
    {
        _debtTicks += cost.Ticks;
        if (_debtTicks < TimeSpan.TicksPerMillisecond)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromTicks(_debtTicks));
        _debtTicks -= Stopwatch.GetElapsedTime(started).Ticks;
    }
}
