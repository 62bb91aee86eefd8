namespace Mesh.Engine.Compute.Cpu;

/// <summary>A CPU backend's buffer: a managed array, shared with the caller when uploaded.</summary>
internal sealed class CpuBuffer(float[] data) : IComputeBuffer
{
    public float[] Data { get; } = data;

    public long Length => Data.LongLength;

    public Span<float> Span(int length) => Data.AsSpan(0, length);

    /// <summary>The buffer as the CPU backend made it; another backend's buffer is a caller's mistake.</summary>
    public static CpuBuffer Of(IComputeBuffer buffer) =>
        buffer as CpuBuffer ?? throw new ArgumentException($"{buffer.GetType().Name} is not a CPU buffer.", nameof(buffer));

    public void Dispose()
    {
    }
}
