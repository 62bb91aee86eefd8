using Mesh.Engine;
using Mesh.Engine.Inference;

namespace Mesh.Tests.Engine;

/// <summary>The simulated backend reproduces the measured costs of the real backend it names; a figure can be overridden.</summary>
public sealed class SimulationCostModelTests
{
    private static IReadOnlyList<string> Failures(EngineOptions options)
    {
        var result = new EngineOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures] : [];
    }

    [Fact]
    public void Each_measured_backend_has_its_own_costs_and_the_default_is_the_wide_cpu_path()
    {
        var wide = new SimulationOptions().CostModel;
        var narrow = new SimulationOptions { Backend = "cpu-avx2" }.CostModel;

        Assert.Equal(SimulationCostModel.Measured["cpu-avx512"], wide);
        Assert.Equal(SimulationCostModel.Measured["cpu-avx2"], narrow);
        Assert.NotEqual(wide, narrow);
    }

    [Fact]
    public void An_override_replaces_one_figure_and_keeps_the_backends_others()
    {
        var model = new SimulationOptions { Backend = "cpu-avx2", DecodeStepMs = 42 }.CostModel;

        Assert.Equal(42, model.DecodeStepMs);
        Assert.Equal(SimulationCostModel.Measured["cpu-avx2"].PrefillMsPerToken, model.PrefillMsPerToken);
        Assert.Equal(SimulationCostModel.Measured["cpu-avx2"].DecodeMsPerSequence, model.DecodeMsPerSequence);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda")]
    [InlineData("")]
    public void A_backend_without_measured_costs_is_refused_by_validation(string backend)
    {
        var failures = Failures(new EngineOptions { Simulation = new SimulationOptions { Backend = backend } });

        Assert.Contains(failures, f => f.Contains("Backend", StringComparison.Ordinal));
        Assert.Empty(Failures(new EngineOptions()));
    }

    [Fact]
    public void A_negative_override_is_refused_by_validation()
    {
        var failures = Failures(new EngineOptions { Simulation = new SimulationOptions { PrefillMsPerToken = -1 } });

        Assert.Contains(failures, f => f.Contains("PrefillMsPerToken", StringComparison.Ordinal));
    }
}
