using Mesh.Contracts.Compute;
using Mesh.Engine.Compute.Gpu;

namespace Mesh.Engine.Compute;

/// <summary>The compute backends an engine can run on, chosen by <c>Engine:Backend</c>.</summary>
public static class ComputeBackends
{
    /// <summary>The backend named by one of <see cref="ComputeBackendNames"/>.</summary>
    public static IComputeBackend Create(string name, int threads, ILogger logger)
    {
        switch (name)
        {
            case ComputeBackendNames.Cpu:
                return new CpuComputeBackend(threads);
            case ComputeBackendNames.IlgpuCpu:
                return IlgpuComputeBackend.CpuAccelerator();
            case ComputeBackendNames.Cuda or ComputeBackendNames.Auto:
                try
                {
                    return IlgpuComputeBackend.Cuda();
                }
                catch (Exception e) when (e is not OutOfMemoryException && name == ComputeBackendNames.Auto)
                {
                    logger.LogInformation("Engine:Backend is 'auto' and CUDA cannot be used ({Reason}); computing on the CPU.", e.Message);
                    return new CpuComputeBackend(threads);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new InvalidOperationException($"Engine:Backend is 'cuda', but CUDA cannot be used: {e.Message} Set Engine:Backend to 'auto' to fall back to the CPU.", e);
                }
            default:
                throw new ArgumentException($"Engine:Backend '{name}' does not match {ComputeBackendNames.Pattern}.", nameof(name));
        }
    }
}
