namespace Mesh.Engine.Inference;

/// <summary>
/// What a forward step costs on one real backend: prefill per uncached token, and a decode step as a fixed part
/// (reading every weight once) plus a part per sequence.
/// </summary>
public sealed record SimulationCostModel(double PrefillMsPerToken, double DecodeStepMs, double DecodeMsPerSequence)
{
    public const string DefaultBackend = "cpu-avx512";

    /// <summary>
    /// Measured with the <c>small</c> model by <c>dotnet run -c Release --project Mesh.Bench -- engine small</c>
    /// (its "cost model" line), with AVX-512 on and off (<c>DOTNET_EnableAVX512=0</c>); see the README's benchmarks.
    /// No GPU was available to measure, so there is no GPU entry.
    /// </summary>
    public static IReadOnlyDictionary<string, SimulationCostModel> Measured { get; } = new Dictionary<string, SimulationCostModel>(StringComparer.Ordinal)
    {
        ["cpu-avx512"] = new(PrefillMsPerToken: 0.085, DecodeStepMs: 1.65, DecodeMsPerSequence: 0.44),
        ["cpu-avx2"] = new(PrefillMsPerToken: 0.139, DecodeStepMs: 2.02, DecodeMsPerSequence: 0.70),
    };
}
