namespace Mesh.Engine.Compute.Cpu;

/// <summary>A CPU backend's buffer: a managed array, shared with the caller when uploaded.</summary>
internal sealed class CpuBuffer(float[] data) : IComputeBuffer
{
    public float[] Data { get; } = data;

    public long Length => Data.LongLength;

    public Span<float> Span(int length) => Data.AsSpan(0, length);

    public void Dispose()
    {
    }
}
