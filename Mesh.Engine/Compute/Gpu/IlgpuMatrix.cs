using ILGPU;
using ILGPU.Runtime;

namespace Mesh.Engine.Compute.Gpu;

/// <summary>A weight matrix in device memory, stored inputs-major (<c>[inputs, outputs]</c>) so a warp reads one input's weights for 32 neighbouring outputs at once.</summary>
internal sealed class IlgpuMatrix(MemoryBuffer1D<float, Stride1D.Dense> memory, int outputs, int inputs) : IWeightMatrix, IDisposable
{
    public ArrayView<float> View => memory.View;

    public int Outputs { get; } = outputs;

    public int Inputs { get; } = inputs;

    public void Dispose() => memory.Dispose();
}
