namespace Mesh.Engine.Inference;

/// <summary>
/// The cost model of the simulated backend. The defaults were measured on the real backend with the
/// <c>small</c> model (<c>dotnet run -c Release --project Mesh.Bench -- engine</c>, see the README).
/// </summary>
public sealed class SimulationOptions
{
    /// <summary>Milliseconds of prefill per uncached prompt token.</summary>
    public double PrefillMsPerToken { get; set; } = 0.28;

    /// <summary>The fixed cost of one decode step (reading every weight once).</summary>
    public double DecodeStepMs { get; set; } = 8;

    /// <summary>What each sequence in a decode step adds.</summary>
    public double DecodeMsPerSequence { get; set; } = 0.7;

    /// <summary>A context window other than the model's (0 keeps it): the cost model has no position table to outgrow.</summary>
    public int ContextWindow { get; set; }
}
