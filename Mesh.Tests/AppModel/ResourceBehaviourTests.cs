using Mesh.AppHost;
using Mesh.Hosting;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Orchestration;
using Mesh.Hosting.Processes;
using Mesh.Hosting.Publishing;
using Mesh.Hosting.Testing;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppModel;

/// <summary>
/// Behaviour lives on the resources: a kind the orchestrator has never seen runs from its own launch annotation,
/// references inject what the referenced resource offers, and a published resource gets the environment it gets locally.
/// </summary>
public sealed class ResourceBehaviourTests
{
    /// <summary>A resource kind defined here, not in Mesh.Hosting: it brings its own launch.</summary>
    private sealed class GreeterResource(string name) : Resource(name)
    {
        public override string Type => "Greeter";
    }

    [Fact]
    public async Task A_new_resource_kind_runs_from_its_own_launch_annotation_with_the_environment_its_callbacks_compute()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(_ => null);
        var greeting = builder.AddParameter("greeting-secret", secret: true);
        builder.AddResource(new GreeterResource("greeter"))
            .WithAnnotation(new LaunchAnnotation(launch => Task.FromResult(
                new ProcessSpec("/bin/sh", ["-c", "echo \"hello $GREETING from $INSTANCE\"; exec sleep 600"], launch.Environment))))
            .WithEnvironment("GREETING", greeting)
            .WithEnvironment(context => context.Environment["INSTANCE"] = context.Values.InstanceId);
        await using var app = await builder.BuildAsync();

        await app.StartAsync();
        var instance = app.Instances.Single();
        await Eventually.TrueAsync(() => instance.Logs.Snapshot().Any(l => l.Text == $"hello {greeting.Value} from greeter"), () => app.DescribeResources());
        await app.ResourceNotifications.WaitForResourceHealthyAsync("greeter").WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal("Greeter", instance.ToSnapshot().Type);
    }

    [Fact]
    public async Task WithReference_injects_a_connection_string_or_one_url_per_replica_as_the_referenced_resource_offers()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(_ => null);
        var redis = builder.AddRedis("cache");
        var api = builder.AddProject("api", "Mesh.Engine").WithHttpHealthCheck().WithReplicas(2);
        var client = builder.AddProject("client", "Mesh.Coordinator").WithReference(redis).WithReference(api);
        await using var app = await builder.BuildAsync();

        var environment = EnvironmentCallbackContext.Evaluate(client.Resource, new RunValues(app.Instances.Single(i => i.Name == "client"), () => app.Instances, null));

        Assert.Equal($"127.0.0.1:{redis.Resource.Port},password={redis.Resource.Password}", environment["ConnectionStrings__cache"]);
        var urls = app.Instances.Where(i => i.Resource == api.Resource).Select(i => i.Url!.ToString().TrimEnd('/')).ToList();
        Assert.Equal(2, urls.Count);
        Assert.Equal(urls[0], environment["services__api__http__0"]);
        Assert.Equal(urls[1], environment["services__api__http__1"]);
        Assert.False(environment.ContainsKey("services__api__http__2"));
        Assert.Equal("service.instance.id=client", environment["OTEL_RESOURCE_ATTRIBUTES"]);
    }

    private static List<string> Services(IEnumerable<string> keys) =>
        [.. keys.Select(k => System.Text.RegularExpressions.Regex.Replace(k, "__http__[0-9]+$", "__http__")).Distinct().Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("engine")]
    [InlineData("coordinator")]
    [InlineData("dashboard")]
    public async Task A_published_resource_gets_the_variables_it_gets_locally(string resourceName)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(MeshAppModel.Define, "--Mesh:Dashboard=true", "--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0");
        await using var app = await builder.BuildAsync();
        var resource = app.Resources.Single(r => r.Name == resourceName);
        var instance = app.Instances.First(i => i.Resource == resource);

        var local = EnvironmentCallbackContext.Evaluate(resource, new RunValues(instance, () => app.Instances, null)).Keys;
        var pod = EnvironmentCallbackContext.Evaluate(resource, new KubernetesValues(resource, new PublishOptions())).Keys;
        var service = EnvironmentCallbackContext.Evaluate(resource, new ComposeValues(resource, resource.Name, new PublishOptions())).Keys;

        // Locally and in Compose a reference names every replica; in Kubernetes it names the Service that balances them.
        Assert.Equal(Services(local), Services(pod));
        Assert.Equal(local.Order(StringComparer.Ordinal), service.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Engine_replicas_take_the_hosts_gpus_in_turn_locally_and_get_theirs_from_the_cluster_when_published()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(MeshAppModel.Define,
            "--Mesh:Engines:Replicas=3", "--Mesh:Engines:CudaDevices=0,1", "--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0");
        await using var app = await builder.BuildAsync();
        var engine = app.Resources.Single(r => r.Name == "engine");

        var local = app.Instances.Where(i => i.Resource == engine)
            .Select(i => EnvironmentCallbackContext.Evaluate(engine, new RunValues(i, () => app.Instances, null)))
            .ToList();
        Assert.Equal(["0", "1", "0"], local.Select(e => e["CUDA_VISIBLE_DEVICES"]));
        Assert.All(local, e => Assert.Equal("auto", e["Engine__Backend"]));
        var pod = EnvironmentCallbackContext.Evaluate(engine, new KubernetesValues(engine, new PublishOptions()));
        Assert.False(pod.ContainsKey("CUDA_VISIBLE_DEVICES"));
    }

    [Fact]
    public async Task Engines_on_the_cpu_backend_are_given_no_gpu()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(MeshAppModel.Define,
            "--Mesh:Engines:Replicas=2", "--Mesh:Engines:CudaDevices=0,1", "--Mesh:Engines:Backend=cpu", "--Mesh:Coordinator:Port=0", "--Mesh:Workflow:Port=0");
        await using var app = await builder.BuildAsync();
        var engine = app.Resources.Single(r => r.Name == "engine");

        foreach (var instance in app.Instances.Where(i => i.Resource == engine))
        {
            var environment = EnvironmentCallbackContext.Evaluate(engine, new RunValues(instance, () => app.Instances, null));
            Assert.Equal("cpu", environment["Engine__Backend"]);
            Assert.False(environment.ContainsKey("CUDA_VISIBLE_DEVICES"));
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
