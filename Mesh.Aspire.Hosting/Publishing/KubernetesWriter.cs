using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Kubernetes manifests from the app model: per resource a Deployment (a StatefulSet when each replica advertises its own
/// URL, so a restarted pod keeps its name), a Service on its ports, probes on its health paths, GPU limits; and one Secret
/// with every secret parameter the environments refer to.
/// </summary>
internal static class KubernetesWriter
{
    public const string SecretName = "mesh-secrets";

    public static async Task<IReadOnlyList<(string File, string Text)>> WriteAsync(DistributedApplicationModel model, DistributedApplicationExecutionContext execution,
        MeshPublishOptions options, PublishedDashboard? dashboard, CancellationToken cancellationToken)
    {
        var files = new List<(string, string)>();
        var secrets = new SortedDictionary<string, SecretValue>(StringComparer.Ordinal);
        var resources = new List<PublishedResource>();
        foreach (var resource in PublishedModel.ComputeResources(model))
        {
            resources.Add(await PublishedModel.ReadAsync(resource, new KubernetesValues(options), execution, dashboard, cancellationToken));
        }
        if (dashboard is not null)
        {
            resources.Add(await dashboard.ResourceAsync(new KubernetesValues(options), cancellationToken));
        }
        foreach (var resource in resources)
        {
            foreach (var secret in resource.Secrets)
            {
                secrets[secret.Name] = secret;
            }
            files.Add(($"{resource.Name}.yaml", YamlWriter.Write([Workload(resource), Service(resource)])));
        }
        var data = new JsonObject();
        foreach (var secret in secrets.Values)
        {
            data[secret.Name] = secret.Value;
        }
        files.Insert(0, ("secrets.yaml", YamlWriter.Write(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = Metadata(SecretName),
            ["type"] = "Opaque",
            ["stringData"] = data,
        })));
        return files;
    }

    private static JsonObject Workload(PublishedResource resource)
    {
        var env = new JsonArray(
            FieldRef(KubernetesValues.PodName, "metadata.name"),
            FieldRef(KubernetesValues.PodIp, "status.podIP"));
        // $(VAR) expands only variables defined earlier in the list: the secrets come first.
        foreach (var secret in resource.Secrets)
        {
            env.Add(new JsonObject
            {
                ["name"] = secret.Variable,
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = SecretName, ["key"] = secret.Name } },
            });
        }
        foreach (var (name, value) in resource.Environment)
        {
            env.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }
        var container = new JsonObject
        {
            ["name"] = resource.Name,
            ["image"] = resource.Image,
            ["env"] = env,
            ["ports"] = new JsonArray([.. resource.Ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["containerPort"] = p.ContainerPort })]),
        };
        if (resource.Arguments.Count > 0)
        {
            container["args"] = new JsonArray([.. resource.Arguments.Select(a => (JsonNode)JsonValue.Create(a))]);
        }
        if (resource.ReadinessPath is { } ready && resource.HttpPort is { } httpPort)
        {
            container["readinessProbe"] = HttpProbe(ready, httpPort, periodSeconds: 5);
        }
        else if (resource.Ports.Count > 0 && resource.Ports[0] is var first)
        {
            container["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = first.ContainerPort }, ["periodSeconds"] = 5 };
        }
        if (resource.LivenessPath is { } alive && resource.HttpPort is { } livePort)
        {
            container["livenessProbe"] = HttpProbe(alive, livePort, periodSeconds: 10);
        }
        if (resource.Gpus > 0)
        {
            // An extended resource is requested through its limit (the request defaults to it).
            container["resources"] = new JsonObject { ["limits"] = new JsonObject { ["nvidia.com/gpu"] = resource.Gpus } };
        }
        var spec = new JsonObject
        {
            ["replicas"] = resource.Replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = Labels(resource.Name) },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = Labels(resource.Name) },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) },
            },
        };
        if (resource.AdvertisesEachReplica)
        {
            spec["serviceName"] = resource.Name;
            spec["podManagementPolicy"] = "Parallel";
        }
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = resource.AdvertisesEachReplica ? "StatefulSet" : "Deployment",
            ["metadata"] = Metadata(resource.Name),
            ["spec"] = spec,
        };
    }

    private static JsonObject Service(PublishedResource resource) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(resource.Name),
        ["spec"] = new JsonObject
        {
            ["selector"] = Labels(resource.Name),
            ["ports"] = new JsonArray([.. resource.Ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["port"] = p.ContainerPort, ["targetPort"] = p.ContainerPort })]),
        },
    };

    private static JsonObject HttpProbe(string path, int port, int periodSeconds) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = port },
        ["periodSeconds"] = periodSeconds,
        ["failureThreshold"] = 3,
    };

    private static JsonObject FieldRef(string name, string path) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = path } },
    };

    private static JsonObject Metadata(string name) => new() { ["name"] = name, ["labels"] = new JsonObject { ["app.kubernetes.io/part-of"] = "mesh" } };

    private static JsonObject Labels(string name) => new() { ["app.kubernetes.io/name"] = name };
}
