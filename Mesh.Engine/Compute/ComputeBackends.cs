using Mesh.Engine.Compute.Gpu;

namespace Mesh.Engine.Compute;

/// <summary>The compute backends an engine can run on, chosen by <c>Engine:Backend</c>.</summary>
public static class ComputeBackends
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    public const string Auto = "auto";

    /// <summary>The GPU kernels called on the host over ILGPU's CPU-accelerator memory: slow, for checking the GPU path on a machine without one.</summary>
    public const string IlgpuCpu = "ilgpu-cpu";

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> (fails when no CUDA device is found), <c>auto</c> (CUDA when a device is found, else the
    /// CPU, saying why in the log) or <c>ilgpu-cpu</c>.
    /// </summary>
    public static IComputeBackend Create(string name, int threads, ILogger logger)
    {
        switch (name)
        {
            case Cpu:
                return new CpuComputeBackend(threads);
            case IlgpuCpu:
                return IlgpuComputeBackend.CpuAccelerator();
            case Cuda:
                try
                {
                    return IlgpuComputeBackend.Cuda();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new InvalidOperationException($"Engine:Backend is 'cuda', but CUDA cannot be used: {e.Message} Set Engine:Backend to 'auto' to fall back to the CPU.", e);
                }
            case Auto:
                try
                {
                    return IlgpuComputeBackend.Cuda();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    logger.LogInformation("Engine:Backend is 'auto' and CUDA cannot be used ({Reason}); computing on the CPU.", e.Message);
                    return new CpuComputeBackend(threads);
                }
            default:
                throw new ArgumentException($"Engine:Backend '{name}' is not one of cpu, cuda, auto, {IlgpuCpu}.", nameof(name));
        }
    }
}
