using System.ComponentModel.DataAnnotations;

namespace Mesh.Engine.Inference;

/// <summary>
/// The cost model of the simulated backend: the measured costs of one real compute backend
/// (<see cref="SimulationCostModel.Measured"/>), each figure overridable.
/// </summary>
public sealed class SimulationOptions
{
    /// <summary>The real backend whose measured costs the simulation reproduces: <c>cpu-avx512</c> or <c>cpu-avx2</c>.</summary>
    [Required]
    [RegularExpression("^(cpu-avx512|cpu-avx2)$", ErrorMessage = "Engine:Simulation:Backend must be 'cpu-avx512' or 'cpu-avx2' (the backends whose costs were measured).")]
    public string Backend { get; set; } = SimulationCostModel.DefaultBackend;

    /// <summary>Milliseconds of prefill per uncached prompt token, instead of the backend's measured figure.</summary>
    [Range(0.0, 10_000.0)]
    public double? PrefillMsPerToken { get; set; }

    /// <summary>The fixed cost of one decode step (reading every weight once), instead of the measured figure.</summary>
    [Range(0.0, 10_000.0)]
    public double? DecodeStepMs { get; set; }

    /// <summary>What each sequence in a decode step adds, instead of the measured figure.</summary>
    [Range(0.0, 10_000.0)]
    public double? DecodeMsPerSequence { get; set; }

    /// <summary>A context window other than the model's (0 keeps it): the cost model has no position table to outgrow.</summary>
    [Range(0, 1 << 24)]
    public int ContextWindow { get; set; }

    /// <summary>The backend's measured costs with the overrides applied.</summary>
    public SimulationCostModel CostModel
    {
        get
        {
            var measured = SimulationCostModel.Measured.TryGetValue(Backend, out var model) ? model : SimulationCostModel.Measured[SimulationCostModel.DefaultBackend];
            return new SimulationCostModel(
                PrefillMsPerToken ?? measured.PrefillMsPerToken,
                DecodeStepMs ?? measured.DecodeStepMs,
                DecodeMsPerSequence ?? measured.DecodeMsPerSequence);
        }
    }
}
