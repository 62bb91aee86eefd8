namespace Mesh.Contracts.Compute;

/// <summary>
/// The values of an engine's <c>Engine:Backend</c>, as the engine reads them and the AppHost passes them
/// (<c>Mesh:Engines:Backend</c>).
/// </summary>
public static class ComputeBackendNames
{
    public const string Cpu = "cpu";

    /// <summary>The first GPU the process sees, through ILGPU; the engine refuses to start without one.</summary>
    public const string Cuda = "cuda";

    /// <summary>CUDA when a device is found, else the CPU, with a log line saying why.</summary>
    public const string Auto = "auto";

    /// <summary>The GPU kernels called on the host over ILGPU's CPU-accelerator memory: slow, for checking the GPU path on a machine without one.</summary>
    public const string IlgpuCpu = "ilgpu-cpu";

    /// <summary>The pattern an option naming a backend is validated against.</summary>
    public const string Pattern = $"^({Cpu}|{Cuda}|{Auto}|{IlgpuCpu})$";
}
