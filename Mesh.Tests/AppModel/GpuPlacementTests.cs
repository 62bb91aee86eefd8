using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Mesh.Aspire.Hosting.Engines;
using Mesh.Engine.Compute;

namespace Mesh.Tests.AppModel;

/// <summary>
/// GPUs on one host: the AppHost gives the engine replicas the host's GPUs to share out, and each replica claims one
/// of its own when it starts; published, an engine pod asks the cluster for its GPUs instead (see PublishTests).
/// </summary>
public sealed class GpuPlacementTests
{
    private static async Task<Dictionary<string, object>> EngineEnvironmentAsync(params string[] args)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(
            ["--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0", "--Mesh:Redis:Mode=None", .. args]);
        var engine = builder.Resources.OfType<MeshEngineResource>().Single(r => r.Name == "engine");
        var environment = new Dictionary<string, object>(StringComparer.Ordinal);
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), engine, environment);
        foreach (var callback in engine.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return environment;
    }

    [Fact]
    public async Task Engine_replicas_are_given_the_hosts_gpus_to_share_out_unless_they_compute_on_the_cpu()
    {
        var gpus = await EngineEnvironmentAsync("--Mesh:Engines:Replicas=3", "--Mesh:Engines:CudaDevices=0,1");
        var cpu = await EngineEnvironmentAsync("--Mesh:Engines:Replicas=3", "--Mesh:Engines:CudaDevices=0,1", "--Mesh:Engines:Backend=cpu");
        var one = await EngineEnvironmentAsync("--Mesh:Engines:CudaDevices=0");

        Assert.Equal("0,1", gpus["Engine__CudaDevices"]);
        Assert.Equal("auto", gpus["Engine__Backend"]);
        Assert.False(cpu.ContainsKey("Engine__CudaDevices"));
        Assert.False(one.ContainsKey("Engine__CudaDevices"));
    }

    [Fact]
    public void Each_replica_claims_a_gpu_of_its_own_and_a_released_one_is_claimed_again()
    {
        var locks = Directory.CreateTempSubdirectory("mesh-cuda-locks").FullName;
        try
        {
            using var first = CudaDeviceClaim.Claim(["0", "1"], locks);
            using (var second = CudaDeviceClaim.Claim(["0", "1"], locks))
            {
                using var third = CudaDeviceClaim.Claim(["0", "1"], locks);

                Assert.Equal(("0", true), (first.Device, first.Exclusive));
                Assert.Equal(("1", true), (second.Device, second.Exclusive));
                Assert.False(third.Exclusive);
            }
            using var again = CudaDeviceClaim.Claim(["0", "1"], locks);
            Assert.Equal(("1", true), (again.Device, again.Exclusive));
        }
        finally
        {
            Directory.Delete(locks, recursive: true);
        }
    }

    [Fact]
    public void The_hosts_gpus_are_the_apphosts_CUDA_VISIBLE_DEVICES_else_one_per_gpu_the_driver_lists()
    {
        var driver = Directory.CreateTempSubdirectory("mesh-nvidia-gpus");
        try
        {
            Assert.Empty(CudaDevices.Visible(null, Path.Combine(driver.FullName, "absent")));
            driver.CreateSubdirectory("0000:01:00.0");
            driver.CreateSubdirectory("0000:41:00.0");
            Assert.Equal(["0", "1"], CudaDevices.Visible(null, driver.FullName));
            Assert.Equal(["2", "3"], CudaDevices.Visible("2, 3", driver.FullName));
            Assert.Empty(CudaDevices.Visible("", driver.FullName));
        }
        finally
        {
            driver.Delete(recursive: true);
        }
    }
}
