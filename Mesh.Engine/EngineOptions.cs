using System.ComponentModel.DataAnnotations;
using Mesh.Contracts.Compute;
using Mesh.Engine.Inference;
using Microsoft.Extensions.Options;

namespace Mesh.Engine;

/// <summary>Every setting of an engine, bound from the <c>Engine:</c> section (configuration, <c>Engine__X</c> environment variables, or <c>--Engine:X=</c>).</summary>
public sealed class EngineOptions
{
    public const string Section = "Engine";

    /// <summary>The engine's id in the registry; defaults to the replica's <c>service.instance.id</c>, else <c>engine-</c> and eight random letters.</summary>
    public string? Id { get; set; }

    /// <summary>A named size with synthetic weights (<c>tiny</c>, <c>small</c>), used when no <see cref="Checkpoint"/> is given.</summary>
    [Required]
    public string Model { get; set; } = "tiny";

    /// <summary>A llama2.c checkpoint file; its weights replace the synthetic ones.</summary>
    public string? Checkpoint { get; set; }

    /// <summary>The model id clients send and <c>/v1/models</c> lists; defaults to <c>mesh-&lt;Model&gt;</c>.</summary>
    public string? ServedModelName { get; set; }

    /// <summary>The seed of the synthetic weights. Engines with the same seed and size compute the same function.</summary>
    public ulong WeightSeed { get; set; } = 20261130;

    /// <summary><c>local</c> or <c>cloud</c>.</summary>
    [RegularExpression("^(local|cloud)$", ErrorMessage = "Engine:Tier must be 'local' or 'cloud'.")]
    public string Tier { get; set; } = "local";

    /// <summary>The URL published in the heartbeat; defaults to the first address the server listens on.</summary>
    public string? PublicUrl { get; set; }

    [Range(1, 1024)]
    public int BlockSize { get; set; } = 16;

    /// <summary>KV-cache capacity in blocks; 0 picks a default for the model (four full context windows).</summary>
    [Range(0, 1_000_000)]
    public int KvCapacityBlocks { get; set; }

    [Range(1, 1024)]
    public int MaxRunningSequences { get; set; } = 16;

    /// <summary>Requests that may wait for a slot; beyond this the engine answers 429 with Retry-After.</summary>
    [Range(0, 100_000)]
    public int MaxWaitingSequences { get; set; } = 64;

    /// <summary>
    /// Rows (prompt tokens plus decode tokens) in one forward step; longer prompts are prefilled in chunks of what is
    /// left. Smaller steps keep decoding sequences and short prompts moving while a long prompt is prefilled.
    /// </summary>
    [Range(16, 65_536)]
    public int MaxBatchTokens { get; set; } = 512;

    /// <summary>Completion length when a request names none (capped by the context window).</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxTokens { get; set; } = 256;

    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>
    /// Where the transformer computes: <c>cpu</c>; <c>cuda</c> (the first GPU the process sees, failing at start when
    /// there is none); <c>auto</c> (CUDA when a device is found, else the CPU, with a log line saying why); or
    /// <c>ilgpu-cpu</c> (the GPU kernels called on the host over ILGPU's CPU-accelerator memory, to check them without a GPU; slow).
    /// </summary>
    [RegularExpression(ComputeBackendNames.Pattern, ErrorMessage = "Engine:Backend must be 'cpu', 'cuda', 'auto' or 'ilgpu-cpu'.")]
    public string Backend { get; set; } = ComputeBackendNames.Auto;

    /// <summary>Compute threads of the CPU backend; 0 uses every core.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// The GPUs replicas on this host share out, one each (<c>0,1</c>): the engine claims the first one free before the
    /// CUDA driver loads (see <see cref="Compute.CudaDeviceClaim"/>). Empty: the process sees what the host shows it.
    /// </summary>
    public string? CudaDevices { get; set; }

    /// <summary>Run the cost-model backend instead of the transformer (same scheduler and KV bookkeeping).</summary>
    public bool Simulated { get; set; }

    [ValidateObjectMembers]
    public SimulationOptions Simulation { get; set; } = new();

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The heartbeat key lives this many intervals, so one lost beat does not drop the engine.</summary>
    [Range(1.5, 100)]
    public double HeartbeatTtlIntervals { get; set; } = 3;

    public TimeSpan HeartbeatTtl => HeartbeatInterval * HeartbeatTtlIntervals;

    public string ResolvedServedModelName => ServedModelName ?? $"mesh-{Model.ToLowerInvariant()}";
}

[OptionsValidator]
public sealed partial class EngineOptionsValidator : IValidateOptions<EngineOptions>;
