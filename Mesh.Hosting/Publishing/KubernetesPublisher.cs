using System.Text.Json.Nodes;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>
/// Kubernetes manifests from the app model: per resource a Deployment (a StatefulSet when each replica advertises its
/// own URL, so a restarted pod keeps its name), a Service on its ports, probes on its health paths, GPU limits; and one
/// Secret with every secret parameter the environments refer to. The environment is the one the resource gets locally,
/// asked of the resource with pod values.
/// </summary>
internal static class KubernetesPublisher
{
    public const string SecretName = "mesh-secrets";

    public static IReadOnlyList<(string File, string Text)> Write(IReadOnlyList<Resource> resources, PublishOptions options)
    {
        var files = new List<(string, string)>();
        var secrets = new SortedDictionary<string, ParameterResource>(StringComparer.Ordinal);
        foreach (var resource in resources)
        {
            if (resource.Annotations.OfType<ContainerImageAnnotation>().FirstOrDefault() is not { } image)
            {
                continue;
            }
            var values = new KubernetesValues(resource, options);
            var environment = EnvironmentCallbackContext.Evaluate(resource, values);
            var arguments = image.Arguments(values);
            foreach (var secret in values.Secrets)
            {
                secrets[secret.Name] = secret;
            }
            files.Add(($"{resource.Name}.yaml", YamlWriter.Write([Workload(resource, values, image, environment, arguments), Service(resource, values)])));
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

    private static JsonObject Workload(Resource resource, KubernetesValues values, ContainerImageAnnotation image, Dictionary<string, string> environment, IReadOnlyList<string> arguments)
    {
        var env = new JsonArray(
            FieldRef(KubernetesValues.PodName, "metadata.name"),
            FieldRef(KubernetesValues.PodIp, "status.podIP"));
        // $(VAR) expands only variables defined earlier in the list: the secrets come first.
        foreach (var secret in values.Secrets)
        {
            env.Add(new JsonObject
            {
                ["name"] = ManifestValues.EnvironmentNameOf(secret),
                ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = SecretName, ["key"] = secret.Name } },
            });
        }
        foreach (var (name, value) in environment)
        {
            env.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }
        var container = new JsonObject
        {
            ["name"] = resource.Name,
            ["image"] = values.ImageOf(image),
            ["env"] = env,
            ["ports"] = new JsonArray([.. Ports(resource, values).Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["containerPort"] = p.Port })]),
        };
        if (arguments.Count > 0)
        {
            container["args"] = new JsonArray([.. arguments.Select(a => (JsonNode)JsonValue.Create(a))]);
        }
        if (resource.HasHttpEndpoint && resource.HealthPath is { } health)
        {
            container["readinessProbe"] = HttpProbe(health, values.HttpPortOf(resource), periodSeconds: 5);
        }
        else if (Ports(resource, values).FirstOrDefault() is { Port: > 0 } first)
        {
            container["readinessProbe"] = new JsonObject { ["tcpSocket"] = new JsonObject { ["port"] = first.Port }, ["periodSeconds"] = 5 };
        }
        if (resource.HasHttpEndpoint && resource.LivenessPath is { } alive)
        {
            container["livenessProbe"] = HttpProbe(alive, values.HttpPortOf(resource), periodSeconds: 10);
        }
        if (resource.Annotations.OfType<GpuAnnotation>().LastOrDefault() is { } gpu)
        {
            // An extended resource is requested through its limit (the request defaults to it).
            container["resources"] = new JsonObject { ["limits"] = new JsonObject { ["nvidia.com/gpu"] = gpu.Count } };
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
        var stateful = values.AdvertisesInstance;
        if (stateful)
        {
            spec["serviceName"] = resource.Name;
            spec["podManagementPolicy"] = "Parallel";
        }
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = stateful ? "StatefulSet" : "Deployment",
            ["metadata"] = Metadata(resource.Name),
            ["spec"] = spec,
        };
    }

    private static JsonObject Service(Resource resource, KubernetesValues values) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = Metadata(resource.Name),
        ["spec"] = new JsonObject
        {
            ["selector"] = Labels(resource.Name),
            ["ports"] = new JsonArray([.. Ports(resource, values).Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["port"] = p.Port, ["targetPort"] = p.Port })]),
        },
    };

    private static IEnumerable<(string Name, int Port)> Ports(Resource resource, ManifestValues values)
    {
        if (resource.HasHttpEndpoint)
        {
            yield return ("http", values.HttpPortOf(resource));
        }
        foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
        {
            yield return (endpoint.Name, endpoint.ContainerPort);
        }
    }

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
