using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Security;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mesh.Coordinator.Api;

/// <summary>
/// What an operator does to a running coordinator (the AppHost's resource commands call these): drain an engine (no new
/// requests; those running finish) and resume it, and choose the default routing policy. Each needs the admin key
/// derived from the mesh secret; each coordinator replica holds its own state, so a command is sent to every replica.
/// </summary>
public static class OperationEndpoints
{
    public static RouteGroupBuilder MapCoordinatorOperations(this RouteGroupBuilder v1, IConfiguration configuration)
    {
        var adminKey = configuration[MeshSecret.ConfigurationKey] is { Length: > 0 } secret ? MeshSecret.AdminKey(secret) : null;
        var operations = v1.MapGroup("/mesh").AddEndpointFilter(new AdminKeyFilter(adminKey));
        operations.MapPost("/engines/{id}/drain", (string id, EngineRegistry registry) => Drain(id, registry, drain: true));
        operations.MapPost("/engines/{id}/resume", (string id, EngineRegistry registry) => Drain(id, registry, drain: false));
        operations.MapPost("/policy/{name}", SetPolicy);
        return v1;
    }

    private static Results<JsonHttpResult<EngineDrainState>, ApiErrorResult> Drain(string id, EngineRegistry registry, bool drain) =>
        (drain ? registry.Drain(id) : registry.Resume(id))
            ? TypedResults.Json(new EngineDrainState(id, registry.IsDraining(id)), CoordinatorJsonContext.Default.EngineDrainState)
            : new ApiErrorResult(ApiError.NotFound($"No engine has the id '{id}'."));

    private static Results<JsonHttpResult<DefaultPolicyState>, ApiErrorResult> SetPolicy(string name, RoutingPolicies policies) =>
        policies.TrySetDefault(name)
            ? TypedResults.Json(new DefaultPolicyState(policies.Default.Name), CoordinatorJsonContext.Default.DefaultPolicyState)
            : new ApiErrorResult(ApiError.InvalidRequest($"'{name}' is not a routing policy. Use one of: {string.Join(", ", policies.Names)}.", "policy", "unknown_policy"));
}

internal sealed record EngineDrainState(string Id, bool Draining);

internal sealed record DefaultPolicyState(string DefaultPolicy);
