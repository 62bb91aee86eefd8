namespace Mesh.Engine.Compute;

/// <summary>
/// One GPU of this host for one engine process, when several replicas share the host (<c>Engine:CudaDevices</c>, for
/// example <c>0,1</c>): the first device of the list whose lock file this process can hold exclusively, so replicas
/// started together spread over the GPUs one each. The lock lives as long as the process (a killed engine releases it
/// and its restart claims a device again). When every device is held, the replica shares the least recent one by
/// order, and says so. The choice reaches the CUDA driver as <c>CUDA_VISIBLE_DEVICES</c>, set before it loads.
/// </summary>
public sealed class CudaDeviceClaim : IDisposable
{
    private readonly FileStream? _lock;

    private CudaDeviceClaim(string device, FileStream? held)
    {
        Device = device;
        _lock = held;
    }

    public string Device { get; }

    /// <summary>False when every device was held by another process and this one shares one.</summary>
    public bool Exclusive => _lock is not null;

    public static CudaDeviceClaim Claim(IReadOnlyList<string> devices, string lockDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfZero(devices.Count);
        Directory.CreateDirectory(lockDirectory);
        foreach (var device in devices)
        {
            try
            {
                // FileShare.None takes an advisory lock (flock) on Unix: a second process cannot open the file while the first holds it.
                var held = new FileStream(Path.Combine(lockDirectory, $"mesh-cuda-{device}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new CudaDeviceClaim(device, held);
            }
            catch (IOException)
            {
                // Held by another replica.
            }
        }
        return new CudaDeviceClaim(devices[Environment.ProcessId % devices.Count], null);
    }

    public void Dispose() => _lock?.Dispose();
}
