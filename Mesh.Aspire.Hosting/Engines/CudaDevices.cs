using System.Globalization;

namespace Mesh.Aspire.Hosting.Engines;

/// <summary>The NVIDIA GPUs this host offers to the processes it starts.</summary>
public static class CudaDevices
{
    /// <summary>
    /// The ids in <c>CUDA_VISIBLE_DEVICES</c> when the AppHost runs under one, else one per GPU the NVIDIA driver lists
    /// under <c>/proc/driver/nvidia/gpus</c> (<c>0</c>, <c>1</c>, …); none on a host without the driver.
    /// </summary>
    public static IReadOnlyList<string> Visible(string? cudaVisibleDevices, string driverDirectory = "/proc/driver/nvidia/gpus")
    {
        if (cudaVisibleDevices is not null)
        {
            return [.. cudaVisibleDevices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }
        var count = Directory.Exists(driverDirectory) ? Directory.GetDirectories(driverDirectory).Length : 0;
        return [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }
}
