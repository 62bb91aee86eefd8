namespace Mesh.Engine.Telemetry;

/// <summary>
/// Live figures of the scheduler, written by its thread after every step and read by the heartbeat, the
/// gauges and <c>/v1/engine/state</c>. Each field is one aligned word, so readers see whole values.
/// </summary>
public sealed class EngineStatistics
{
    private const double Smoothing = 0.2;

    public int Running { get; set; }
    public int Waiting { get; set; }
    public int KvBlocksUsed { get; set; }
    public int KvBlocksCached { get; set; }
    public int KvBlocksTotal { get; set; }

    public long KvEvictions { get; set; }
    public long Steps { get; set; }
    public long DecodeSteps { get; set; }

    /// <summary>Decode steps that advanced two or more sequences at once.</summary>
    public long SharedDecodeSteps { get; set; }

    public long DecodeTokens { get; set; }
    public int MaxDecodeBatch { get; set; }
    public long PrefillTokens { get; set; }
    public long CachedPromptTokens { get; set; }
    public long PromptTokens { get; set; }
    public long Preemptions { get; set; }
    public long Rejected { get; set; }

    /// <summary>Sequences ended by a failed scheduler step.</summary>
    public long RequestsFailed { get; set; }

    /// <summary>Exponential moving average of milliseconds per prefilled token, from steps with prefill only.</summary>
    public double PrefillMsPerToken { get; private set; }

    /// <summary>Exponential moving average of milliseconds per decode step, from steps with decode only.</summary>
    public double DecodeMsPerStep { get; private set; }

    /// <summary>Average sequences per decode step (moving).</summary>
    public double DecodeBatch { get; private set; }

    public double PrefillTokensPerSecond => PrefillMsPerToken > 0 ? 1000 / PrefillMsPerToken : 0;

    public double DecodeTokensPerSecond => DecodeMsPerStep > 0 ? 1000 * DecodeBatch / DecodeMsPerStep : 0;

    public void ObserveStep(int prefillRows, int decodeRows, double milliseconds)
    {
        Steps++;
        PrefillTokens += prefillRows;
        if (decodeRows > 0)
        {
            DecodeSteps++;
            DecodeTokens += decodeRows;
            MaxDecodeBatch = Math.Max(MaxDecodeBatch, decodeRows);
            if (decodeRows > 1)
            {
                SharedDecodeSteps++;
            }
        }
        if (prefillRows > 0 && decodeRows == 0)
        {
            PrefillMsPerToken = Blend(PrefillMsPerToken, milliseconds / prefillRows);
        }
        else if (decodeRows > 0 && prefillRows == 0)
        {
            DecodeMsPerStep = Blend(DecodeMsPerStep, milliseconds);
            DecodeBatch = Blend(DecodeBatch, decodeRows);
        }
    }

    private static double Blend(double average, double sample) => average == 0 ? sample : average + Smoothing * (sample - average);
}
