using System.Text.Json.Nodes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppModel;

/// <summary>
/// The AppHost published the way Aspire publishes (<c>--operation publish --step publish-kubernetes|publish-compose</c>, or
/// Aspire's own manifest with <c>--publisher manifest</c>): the Kubernetes manifests validate against the Kubernetes
/// schemas, the Compose file passes <c>docker-compose config</c>, and both carry what the app model says (replicas, GPUs,
/// probes, secrets, each engine's own URL, Aspire's dashboard with every service exporting to it).
/// </summary>
public sealed class PublishTests(KubernetesSchemaValidator validator) : IClassFixture<KubernetesSchemaValidator>, IDisposable
{
    private const string MeshSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly string _output = Directory.CreateTempSubdirectory("mesh-publish-").FullName;

    /// <summary>Runs one publishing step of the AppHost; returns the folder it wrote.</summary>
    private async Task<string> PublishAsync(string target, params string[] settings)
    {
        var run = await ExternalTool.RunAsync("dotnet",
            [Repository.ProjectDll("Mesh.AppHost"), "--operation", "publish", "--step", $"publish-{target}", "--output-path", _output,
                $"--Parameters:mesh-secret={MeshSecret}", .. settings],
            Repository.Root);
        Assert.True(run.ExitCode == 0, $"publish failed: {run}");
        return Path.Combine(_output, target);
    }

    private static JsonObject Single(JsonObject report, string kind, string name) =>
        report["documents"]!.AsArray().Select(d => d!.AsObject()).Single(d => (string?)d["kind"] == kind && (string?)d["metadata"]!["name"] == name);

    private static JsonObject Container(JsonObject workload) => workload["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        container["env"]!.AsArray().Select(e => e!.AsObject()).ToDictionary(e => (string)e["name"]!, e => e);

    [Fact]
    public async Task Every_published_Kubernetes_object_validates_and_carries_replicas_gpus_probes_secrets_and_each_pods_own_url()
    {
        var written = await PublishAsync("kubernetes", "--Mesh:Publish:Registry=registry.example.com/mesh", "--Mesh:Publish:Tag=1.2.3",
            "--Mesh:Engines:Replicas=4", "--Mesh:Engines:Gpus=1", "--Mesh:Coordinator:Replicas=2");

        var (valid, report, raw) = await validator.ValidateAsync(Directory.GetFiles(written, "*.yaml"));

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
        Assert.Equal("redis:6379,password=$(SECRET_REDIS_PASSWORD)", (string?)env["ConnectionStrings__redis"]["value"]);
        Assert.Equal("redis-password", (string?)env["SECRET_REDIS_PASSWORD"]["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Equal("$(SECRET_MESH_SECRET)", (string?)env["Mesh__Secret"]["value"]);
        Assert.Equal("http://dashboard:18889", (string?)env["OTEL_EXPORTER_OTLP_ENDPOINT"]["value"]);
        // A variable is expanded only after the variables it refers to: the secrets precede their uses.
        var names = env.Keys.ToList();
        Assert.True(names.IndexOf("SECRET_REDIS_PASSWORD") < names.IndexOf("ConnectionStrings__redis"));

        var coordinators = Single(report, "Deployment", "coordinator");
        Assert.Equal(2, (int)coordinators["spec"]!["replicas"]!);
        Assert.Equal("http://engine:8080", (string?)Env(Container(coordinators))["services__engine__http__0"]["value"]);
        Assert.Equal(MeshSecret, (string?)Single(report, "Secret", "mesh-secrets")["stringData"]!["mesh-secret"]);
        var dashboardPorts = Single(report, "Service", "dashboard")["spec"]!["ports"]!.AsArray().Select(p => (int)p!["port"]!).ToList();
        Assert.Equal([18888, 18889], dashboardPorts);
        Assert.StartsWith("docker.io/library/redis:", (string?)Container(Single(report, "Deployment", "redis"))["image"], StringComparison.Ordinal);
        // The dashboard and every exporter share one OTLP key, from the Secret.
        Assert.Equal("$(SECRET_DASHBOARD_OTLP_API_KEY)", (string?)Env(Container(Single(report, "Deployment", "dashboard")))["DASHBOARD__OTLP__PRIMARYAPIKEY"]["value"]);
        Assert.Equal("x-otlp-api-key=$(SECRET_DASHBOARD_OTLP_API_KEY)", (string?)env["OTEL_EXPORTER_OTLP_HEADERS"]["value"]);
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
        var written = await PublishAsync("compose", "--Mesh:Engines:Replicas=2", "--Mesh:Coordinator:Replicas=2");

        var config = await ExternalTool.RunAsync(compose, ["-f", "docker-compose.yaml", "config"], written);

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

    [Fact]
    public async Task Aspires_own_manifest_publisher_writes_the_meshs_app_model()
    {
        var manifest = Path.Combine(_output, "aspire-manifest.json");
        var run = await ExternalTool.RunAsync("dotnet",
            [Repository.ProjectDll("Mesh.AppHost"), "--publisher", "manifest", "--output-path", manifest, $"--Parameters:mesh-secret={MeshSecret}"], Repository.Root);
        Assert.True(run.ExitCode == 0, $"publish failed: {run}");

        var resources = JsonNode.Parse(await File.ReadAllTextAsync(manifest))!["resources"]!.AsObject();
        Assert.Equal("project.v0", (string?)resources["engine"]!["type"]);
        Assert.Equal("project.v0", (string?)resources["coordinator"]!["type"]);
        Assert.StartsWith("container.v", (string?)resources["redis"]!["type"], StringComparison.Ordinal);
        Assert.Equal("{redis.connectionString}", (string?)resources["coordinator"]!["env"]!["ConnectionStrings__redis"]);
        Assert.Equal("{mesh-secret.value}", (string?)resources["engine"]!["env"]!["Mesh__Secret"]);
    }

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
