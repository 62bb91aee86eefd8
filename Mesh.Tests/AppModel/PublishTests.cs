using System.Text.Json.Nodes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppModel;

/// <summary>
/// <c>Mesh.AppHost publish</c>: the Kubernetes manifests validate against the Kubernetes schemas, the Compose file passes
/// <c>docker-compose config</c>, and both carry what the app model says (replicas, GPUs, probes, secrets, each engine's own URL).
/// </summary>
public sealed class PublishTests(KubernetesSchemaValidator validator) : IClassFixture<KubernetesSchemaValidator>, IDisposable
{
    private const string MeshSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly string _output = Directory.CreateTempSubdirectory("mesh-publish-").FullName;

    private async Task PublishAsync(string target, params string[] settings)
    {
        var run = await ExternalTool.RunAsync("dotnet",
            [Repository.ProjectDll("Mesh.AppHost"), "publish", "--target", target, "--output", _output, $"--Parameters:mesh-secret={MeshSecret}", .. settings],
            Repository.Root);
        Assert.True(run.ExitCode == 0, $"publish failed: {run}");
    }

    private static JsonObject Single(JsonObject report, string kind, string name) =>
        report["documents"]!.AsArray().Select(d => d!.AsObject()).Single(d => (string?)d["kind"] == kind && (string?)d["metadata"]!["name"] == name);

    private static JsonObject Container(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        container["env"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["name"]!, e => e);

    [Fact]
    public async Task Every_published_Kubernetes_object_validates_and_carries_replicas_gpus_probes_secrets_and_each_pods_own_url()
    {
        await PublishAsync("kubernetes", "--registry", "registry.example.com/mesh", "--tag", "1.2.3",
            "--Mesh:Engines:Replicas=4", "--Mesh:Engines:Gpus=1", "--Mesh:Coordinator:Replicas=2");

        var (valid, report, raw) = await validator.ValidateAsync(Directory.GetFiles(_output, "*.yaml"));

        Assert.True(valid, raw);
        Assert.Empty(report["invalid"]!.AsArray());
        var engines = Single(report, "StatefulSet", "engine");
        Assert.Equal(4, (int)engines["spec"]!["replicas"]!);
        var engine = Container(engines);
        Assert.Equal("registry.example.com/mesh/mesh-engine:1.2.3", (string?)engine["image"]);
        Assert.Equal(1, (int)engine["resources"]!["limits"]!["nvidia.com/gpu"]!);
        Assert.Equal("/health", (string?)engine["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/alive", (string?)engine["livenessProbe"]!["httpGet"]!["path"]);
        var env = Env(engine);
        Assert.Equal("status.podIP", (string?)env["POD_IP"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("http://$(POD_IP):8080", (string?)env["Engine__PublicUrl"]["value"]);
        Assert.Equal("service.instance.id=$(POD_NAME)", (string?)env["OTEL_RESOURCE_ATTRIBUTES"]["value"]);
        Assert.Equal("redis:6379,password=$(REDIS_PASSWORD)", (string?)env["ConnectionStrings__redis"]["value"]);
        Assert.Equal("redis-password", (string?)env["REDIS_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Equal("$(MESH_SECRET)", (string?)env["Mesh__Secret"]["value"]);
        Assert.Equal("http://dashboard:18889", (string?)env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"]);
        // A variable is expanded only after the variables it refers to: the secrets precede their uses.
        var names = env.Keys.ToList();
        Assert.True(names.IndexOf("REDIS_PASSWORD") < names.IndexOf("ConnectionStrings__redis"));

        var coordinators = Single(report, "Deployment", "coordinator");
        Assert.Equal(2, (int)coordinators["spec"]!["replicas"]!);
        Assert.Equal("http://engine:8080", (string?)Env(Container(coordinators))["services__engine__http__0"]["value"]);
        Assert.Equal(MeshSecret, (string?)Single(report, "Secret", "mesh-secrets")["stringData"]!["mesh-secret"]);
        var dashboardPorts = Single(report, "Service", "dashboard")["spec"]!["ports"]!.AsArray().Select(p => (int)p!["port"]!).ToList();
        Assert.Equal([18888, 18889, 18890], dashboardPorts);
        Assert.Equal("docker.io/library/redis:7.2", (string?)Container(Single(report, "Deployment", "redis"))["image"]);
    }

    [Fact]
    public async Task The_Kubernetes_validator_rejects_a_broken_manifest()
    {
        var broken = Path.Combine(_output, "broken.yaml");
        await File.WriteAllTextAsync(broken, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: "three"
              selector:
                matchLabels: {app: broken}
              template:
                metadata:
                  labels: {app: broken}
                spec:
                  containers:
                  - image: mesh-engine:latest
            """);

        var (valid, report, raw) = await validator.ValidateAsync(broken);

        Assert.False(valid, raw);
        var errors = string.Join("\n", report["invalid"]!.AsArray().SelectMany(i => i!["errors"]!.AsArray()).Select(e => (string?)e));
        Assert.Contains("replicas", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_published_Compose_file_passes_docker_compose_config_with_one_service_per_engine_and_its_secrets()
    {
        var compose = ExternalTool.Require("docker-compose", "docker-compose");
        await PublishAsync("compose", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Replicas=2");

        var config = await ExternalTool.RunAsync(compose, ["-f", "docker-compose.yaml", "config"], _output);

        Assert.True(config.ExitCode == 0, config.ToString());
        // The normalized file has the secrets interpolated from the .env file, and each engine advertises its own name.
        Assert.Contains($"Mesh__Secret: {MeshSecret}", config.Output, StringComparison.Ordinal);
        Assert.Contains("Engine__PublicUrl: http://engine-0:8080", config.Output, StringComparison.Ordinal);
        Assert.Contains("Engine__PublicUrl: http://engine-1:8080", config.Output, StringComparison.Ordinal);
        Assert.Contains("services__coordinator__http__1: http://coordinator-1:8080", config.Output, StringComparison.Ordinal);
        Assert.Contains("published: 5080", config.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("${", config.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docker_compose_config_rejects_a_broken_Compose_file()
    {
        var compose = ExternalTool.Require("docker-compose", "docker-compose");
        await File.WriteAllTextAsync(Path.Combine(_output, "docker-compose.yaml"), """
            services:
              engine:
                image: mesh-engine:latest
                ports: 8080
                replicas_typo: 2
            """);

        var config = await ExternalTool.RunAsync(compose, ["-f", "docker-compose.yaml", "config"], _output);

        Assert.NotEqual(0, config.ExitCode);
        Assert.Contains("engine", config.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
