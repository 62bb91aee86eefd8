using System.Text;
using System.Text.Json.Nodes;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>
/// A Compose file from the app model, with the same environment each resource gets locally (asked of the resource with
/// Compose values), and a <c>.env</c> file holding the secrets it interpolates. Fixed ports (the coordinator's, the
/// dashboard's) are published on the host; everything else stays on the Compose network.
/// </summary>
internal static class ComposePublisher
{
    public const string ComposeFile = "docker-compose.yaml";
    public const string EnvironmentFile = ".env";

    public static IReadOnlyList<(string File, string Text)> Write(IReadOnlyList<Resource> resources, PublishOptions options)
    {
        var services = new JsonObject();
        var secrets = new SortedDictionary<string, ParameterResource>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            if (resource.Annotations.OfType<ContainerImageAnnotation>().FirstOrDefault() is not { } image)
            {
                continue;
            }
            foreach (var serviceName in ComposeValues.ServiceNames(resource))
            {
                var values = new ComposeValues(resource, serviceName, options);
                var environment = new JsonObject();
                foreach (var (name, value) in EnvironmentCallbackContext.Evaluate(resource, values))
                {
                    environment[name] = value;
                }
                var service = new JsonObject { ["image"] = values.ImageOf(image) };
                var arguments = image.Arguments(values);
                if (arguments.Count > 0)
                {
                    service["command"] = new JsonArray([.. arguments.Select(a => (JsonNode)JsonValue.Create(a))]);
                }
                service["environment"] = environment;
                if (resource.HasHttpEndpoint && resource.FixedPort is { } port)
                {
                    service["ports"] = new JsonArray($"{port}:{values.HttpPortOf(resource)}");
                }
                var dependencies = resource.WaitsFor.SelectMany(ComposeValues.ServiceNames).ToList();
                if (dependencies.Count > 0)
                {
                    service["depends_on"] = new JsonArray([.. dependencies.Select(d => (JsonNode)JsonValue.Create(d))]);
                }
                if (resource.Restart.Enabled)
                {
                    service["restart"] = "unless-stopped";
                }
                if (resource.Annotations.OfType<GpuAnnotation>().LastOrDefault() is { } gpu)
                {
                    service["deploy"] = new JsonObject
                    {
                        ["resources"] = new JsonObject
                        {
                            ["reservations"] = new JsonObject
                            {
                                ["devices"] = new JsonArray(new JsonObject { ["driver"] = "nvidia", ["count"] = gpu.Count, ["capabilities"] = new JsonArray("gpu") }),
                            },
                        },
                    };
                }
                services[serviceName] = service;
                foreach (var secret in values.Secrets)
                {
                    secrets[secret.Name] = secret;
                }
            }
        }
        var dotEnv = new StringBuilder("# Secrets the Compose file interpolates. Generated where not configured: keep this file private.\n");
        foreach (var secret in secrets.Values)
        {
            dotEnv.Append(ManifestValues.EnvironmentNameOf(secret)).Append('=').Append(secret.Value).Append('\n');
        }
        return [(ComposeFile, YamlWriter.Write(new JsonObject { ["services"] = services })), (EnvironmentFile, dotEnv.ToString())];
    }
}
