using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Mesh.Coordinator.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Api;

public static class CoordinatorEndpoints
{
    /// <summary>
    /// The OpenAI endpoints and the mesh's own, all under <c>/v1</c> and behind the API key when one is set (an unknown
    /// <c>/v1</c> path too: without the key it is a 401, not a 404).
    /// </summary>
    public static TBuilder MapCoordinatorApi<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointRouteBuilder
    {
        var v1 = endpoints.MapGroup("/v1").AddEndpointFilter(new BearerTokenFilter(endpoints.ServiceProvider.GetRequiredService<IOptions<CoordinatorOptions>>().Value.ApiKey));
        v1.MapPost("/chat/completions", (HttpContext context, CompletionPipeline pipeline) =>
            pipeline.HandleAsync(context, OpenAIJsonContext.Default.ChatCompletionRequest, CompletionKind.Chat));
        v1.MapPost("/completions", (HttpContext context, CompletionPipeline pipeline) =>
            pipeline.HandleAsync(context, OpenAIJsonContext.Default.CompletionRequest, CompletionKind.Text));
        v1.MapGet("/models", ListModels);
        v1.MapGet("/models/{id}", GetModel);
        v1.MapGet("/mesh/engines", GetEnginesAsync);
        v1.MapGet("/mesh/requests", ListRequests);
        v1.MapGet("/mesh/requests/{id}/trace", GetTrace);
        v1.MapCoordinatorOperations(endpoints.ServiceProvider.GetRequiredService<IConfiguration>());
        v1.Map("/{**path}", (HttpContext context) => new ApiErrorResult(ApiError.NotFound($"Unknown request URL: {context.Request.Method} {context.Request.Path}.")));
        return endpoints;
    }

    /// <summary>Every model a client can ask for: those of the routable engines, and each static backend's own.</summary>
    private static Ok<ModelList> ListModels(EngineRegistry registry) =>
        TypedResults.Ok(new ModelList([.. registry.ServedModels.Select(model => Card(registry, model))]));

    private static Results<Ok<ModelCard>, ApiErrorResult> GetModel(string id, EngineRegistry registry) =>
        registry.ServedModels.Contains(id, StringComparer.Ordinal)
            ? TypedResults.Ok(Card(registry, id))
            : new ApiErrorResult(ApiError.ModelNotFound(id));

    private static ModelCard Card(EngineRegistry registry, string model)
    {
        var engines = registry.Engines.Where(e => !e.IsStatic && e.Model == model && e.Breaker.AllowsRouting).ToList();
        var backends = registry.Engines.Where(e => e.IsStatic && registry.Serves(e, model)).Select(e => e.Id).ToList();
        return new ModelCard(model, engines.Count > 0 ? engines.Min(e => e.Epoch) / 1000 : 0, engines.Count > 0 ? "mesh" : "static-backend", new ModelDetails(
            Weights: engines.Count == 0 ? "backend" : engines.Any(e => e.Heartbeat.Simulated) ? "simulated" : "engine",
            Simulated: engines.Count > 0 && engines.All(e => e.Heartbeat.Simulated),
            Note: engines.Count > 0
                ? $"Served by {engines.Count} engine(s) of the mesh{(backends.Count > 0 ? $", with {string.Join(", ", backends)} as fallback" : "")}; see GET /v1/models on an engine for its weights."
                : $"Served by the static backend(s) {string.Join(", ", backends)}.",
            ContextWindow: engines.Count > 0 ? engines.Min(e => e.Heartbeat.ContextWindow) : registry.Engines.Where(e => e.IsStatic && registry.Serves(e, model)).Select(e => e.Heartbeat.ContextWindow).DefaultIfEmpty(0).Min(),
            Parameters: 0,
            Engines: [.. engines.Select(e => e.Id).Concat(backends).Order(StringComparer.Ordinal)]));
    }

    private static async Task<JsonHttpResult<MeshEnginesView>> GetEnginesAsync(
        EngineRegistry registry, IPrefixIndex prefixIndex, RoutingPolicies policies, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var views = new List<EngineView>();
        foreach (var e in registry.Engines.OrderBy(e => e.Tier).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            var load = e.Heartbeat.Load;
            var entries = e.IsStatic ? 0 : await prefixIndex.CountAsync(e.Instance, cancellationToken);
            views.Add(new EngineView(
                e.Id, e.Epoch, e.Url, e.TierName, e.Model, e.IsStatic, e.Heartbeat.Simulated, e.Breaker.AllowsRouting && !registry.IsDraining(e.Id), registry.IsDraining(e.Id),
                e.Breaker.State.ToString(), e.Breaker.ConsecutiveFailures, load.Running, load.Waiting, e.Slots, e.Capacity, e.InFlight,
                e.Heartbeat.KvCapacityBlocks, load.KvBlocksUsed, load.KvBlocksCached, Math.Round(e.PrefillMsPerToken, 4), Math.Round(e.ServiceMs, 1),
                load.PrefillMsPerToken, load.DecodeMsPerStep, e.IsStatic ? 0 : Math.Max(0, Math.Round((now - e.LastHeartbeatAt).TotalMilliseconds)), entries));
        }
        return TypedResults.Json(new MeshEnginesView(prefixIndex.Kind, registry.RoutableCount, policies.Default.Name, views), CoordinatorJsonContext.Default.MeshEnginesView);
    }

    private static JsonHttpResult<IReadOnlyList<TraceDocument>> ListRequests(RecentRequests recent, int? limit) =>
        TypedResults.Json(recent.Latest(Math.Clamp(limit ?? 50, 1, 1000)), CoordinatorJsonContext.Default.IReadOnlyListTraceDocument);

    private static Results<JsonHttpResult<TraceDocument>, ApiErrorResult> GetTrace(string id, RecentRequests recent) =>
        recent.Find(id) is { } document
            ? TypedResults.Json(document, CoordinatorJsonContext.Default.TraceDocument)
            : new ApiErrorResult(ApiError.NotFound($"No recent request has the id '{id}'."));
}
