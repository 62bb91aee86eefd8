namespace Mesh.Engine.Compute;

/// <summary>
/// An array of floats in a backend's memory: a host array on the CPU, device memory on a GPU. Only the backend that
/// made a buffer reads or writes it; the host sees its values through <see cref="IComputeBackend.Download"/>.
/// </summary>
public interface IComputeBuffer : IDisposable
{
    long Length { get; }
}
