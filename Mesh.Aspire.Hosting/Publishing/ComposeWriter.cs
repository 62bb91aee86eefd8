using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// A Compose file from the app model, with the environment each resource gets locally (resolved for Compose), and a
/// <c>.env</c> file holding the secrets it interpolates. Fixed ports (the coordinator's, the dashboard's) are published on
/// the host; everything else stays on the Compose network.
/// </summary>
internal static partial class ComposeWriter
{
    public const string ComposeFile = "docker-compose.yaml";
    public const string EnvironmentFile = ".env";

    /// <summary>A reference's URL variable (<c>services__engine__http__0</c>), which Compose repeats for each replica's service.</summary>
    [GeneratedRegex("^services__(?<resource>.+)__(?<endpoint>[^_]+)__0$")]
    private static partial Regex ServiceReference();

    public static async Task<IReadOnlyList<(string File, string Text)>> WriteAsync(DistributedApplicationModel model, DistributedApplicationExecutionContext execution,
        MeshPublishOptions options, PublishedDashboard? dashboard, CancellationToken cancellationToken)
    {
        var services = new JsonObject();
        var secrets = new SortedDictionary<string, SecretValue>(StringComparer.Ordinal);
        var compute = PublishedModel.ComputeResources(model).ToList();
        var published = new List<(string Service, PublishedResource Resource)>();
        foreach (var resource in compute)
        {
            foreach (var serviceName in ComposeValues.ServiceNames(resource))
            {
                published.Add((serviceName, await PublishedModel.ReadAsync(resource, new ComposeValues(options, serviceName), execution, dashboard, cancellationToken)));
            }
        }
        if (dashboard is not null)
        {
            published.Add((PublishedDashboard.Name, await dashboard.ResourceAsync(new ComposeValues(options, PublishedDashboard.Name), cancellationToken)));
        }
        foreach (var (serviceName, resource) in published)
        {
            var environment = new JsonObject();
            foreach (var (name, value) in WithEveryReplica(resource.Environment, compute))
            {
                environment[name] = value;
            }
            var service = new JsonObject { ["image"] = resource.Image };
            if (resource.Arguments.Count > 0)
            {
                service["command"] = new JsonArray([.. resource.Arguments.Select(a => (JsonNode)JsonValue.Create(a))]);
            }
            service["environment"] = environment;
            var hostPorts = resource.Ports.Where(p => p.HostPort is not null).ToList();
            if (hostPorts.Count > 0)
            {
                service["ports"] = new JsonArray([.. hostPorts.Select(p => (JsonNode)JsonValue.Create($"{p.HostPort}:{p.ContainerPort}"))]);
            }
            var dependencies = resource.DependsOn.SelectMany(d => ComposeValues.ServiceNames(compute.Single(r => r.Name == d))).ToList();
            if (dependencies.Count > 0)
            {
                service["depends_on"] = new JsonArray([.. dependencies.Select(d => (JsonNode)JsonValue.Create(d))]);
            }
            if (resource.RestartOnExit)
            {
                service["restart"] = "unless-stopped";
            }
            if (resource.Gpus > 0)
            {
                service["deploy"] = new JsonObject
                {
                    ["resources"] = new JsonObject
                    {
                        ["reservations"] = new JsonObject
                        {
                            ["devices"] = new JsonArray(new JsonObject { ["driver"] = "nvidia", ["count"] = resource.Gpus, ["capabilities"] = new JsonArray("gpu") }),
                        },
                    },
                };
            }
            services[serviceName] = service;
            foreach (var secret in resource.Secrets)
            {
                secrets[secret.Name] = secret;
            }
        }
        var dotEnv = new StringBuilder("# Secrets the Compose file interpolates. Generated where not configured: keep this file private.\n");
        foreach (var secret in secrets.Values)
        {
            dotEnv.Append(secret.Variable).Append('=').Append(secret.Value).Append('\n');
        }
        return [(ComposeFile, YamlWriter.Write(new JsonObject { ["services"] = services })), (EnvironmentFile, dotEnv.ToString())];
    }

    /// <summary>A reference to a resource with replicas names its first replica's service; Compose lists every replica's, as a local run does.</summary>
    private static IEnumerable<KeyValuePair<string, string>> WithEveryReplica(IEnumerable<KeyValuePair<string, string>> environment, IReadOnlyList<IResource> compute)
    {
        foreach (var variable in environment)
        {
            yield return variable;
            if (ServiceReference().Match(variable.Key) is { Success: true } match
                && compute.FirstOrDefault(r => r.Name == match.Groups["resource"].Value) is { } referenced)
            {
                var names = ComposeValues.ServiceNames(referenced);
                for (var i = 1; i < names.Count; i++)
                {
                    yield return new($"services__{referenced.Name}__{match.Groups["endpoint"].Value}__{i}", variable.Value.Replace($"//{names[0]}:", $"//{names[i]}:", StringComparison.Ordinal));
                }
            }
        }
    }
}
