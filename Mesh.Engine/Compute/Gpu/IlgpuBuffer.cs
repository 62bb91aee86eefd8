using ILGPU;
using ILGPU.Runtime;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>A GPU backend's buffer: device memory on its accelerator.</summary>
internal sealed class IlgpuBuffer(MemoryBuffer1D<float, Stride1D.Dense> memory) : IComputeBuffer
{
    public MemoryBuffer1D<float, Stride1D.Dense> Memory { get; } = memory;

    public ArrayView<float> View => Memory.View;

    public long Length => Memory.Length;

    public void Dispose() => Memory.Dispose();
}
