using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;

namespace Mesh.Front;

/// <summary>
/// One route for every path and one round-robin cluster of the service's replicas, read from configuration once.
/// YARP copies response bodies as they arrive and flushes each read, so server-sent events pass through unbuffered.
/// </summary>
internal static class FrontProxyConfig
{
    public const string ClusterId = "replicas";

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(IConfiguration configuration, FrontOptions options)
    {
        var destinations = configuration.GetSection($"services:{options.Service}:http").GetChildren()
            .Where(endpoint => !string.IsNullOrWhiteSpace(endpoint.Value))
            .ToDictionary(endpoint => $"{options.Service}-{endpoint.Key}", endpoint => new DestinationConfig { Address = endpoint.Value! }, StringComparer.Ordinal);
        if (destinations.Count == 0)
        {
            throw new OptionsValidationException(FrontOptions.Section, typeof(FrontOptions),
                [$"No replica of '{options.Service}' is configured: set services__{options.Service}__http__0 (and __1, ...)."]);
        }
        RouteConfig[] routes = [new() { RouteId = "all", ClusterId = ClusterId, Match = new RouteMatch { Path = "{**catch-all}" } }];
        ClusterConfig[] clusters =
        [
            new()
            {
                ClusterId = ClusterId,
                LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                Destinations = destinations,
                HttpRequest = new ForwarderRequestConfig { ActivityTimeout = options.ActivityTimeout },
            },
        ];
        return (routes, clusters);
    }
}
