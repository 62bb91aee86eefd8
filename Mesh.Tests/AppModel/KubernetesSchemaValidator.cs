using System.Text.Json.Nodes;

namespace Mesh.Tests.AppModel;

/// <summary>
/// Validates Kubernetes manifests offline against the Kubernetes schemas: kubectl's own validation needs a cluster's
/// OpenAPI endpoint, so the schemas come from npm's kubernetes-models (its ajv validators), installed on first use
/// into a cache folder, the way CI installs the Debian tools.
/// </summary>
public sealed class KubernetesSchemaValidator : IAsyncLifetime
{
    private const string Packages = "kubernetes-models@5.1.0 yaml@2.9.1";
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "mesh-kubernetes-validator-5.1.0");

    public string Script { get; } = Path.Combine(Folder, "validate-kubernetes.mjs");

    public async ValueTask InitializeAsync()
    {
        ExternalTool.Require("node", "nodejs");
        var npm = ExternalTool.Require("npm", "npm");
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "kubernetes-models")))
        {
            // Installed beside, then moved into place, so a half-finished install is never taken for a finished one.
            var staging = $"{Folder}.{Guid.NewGuid():N}";
            Directory.CreateDirectory(staging);
            var install = await ExternalTool.RunAsync(npm, ["install", "--prefix", staging, "--no-audit", "--no-fund", "--loglevel=error", .. Packages.Split(' ')]);
            Assert.True(install.ExitCode == 0, $"npm could not install {Packages}: {install}");
            try
            {
                Directory.Move(staging, Folder);
            }
            catch (IOException) when (Directory.Exists(Folder))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        File.Copy(Path.Combine(AppContext.BaseDirectory, "AppModel", "validate-kubernetes.mjs"), Script, overwrite: true);
    }

    /// <summary>Validates every object of the files; the result lists the valid and the invalid objects and every document.</summary>
    public async Task<(bool Valid, JsonObject Report, string Raw)> ValidateAsync(params string[] files)
    {
        var run = await ExternalTool.RunAsync("node", [Script, .. files], Folder);
        var report = JsonNode.Parse(run.Output)?.AsObject() ?? throw new InvalidOperationException($"The validator printed no report: {run}");
        return (run.ExitCode == 0, report, run.ToString());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
