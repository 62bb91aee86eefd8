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
}
