using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.PrefixIndex;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Api;

public static class CoordinatorEndpoints
{
    public static WebApplication MapCoordinatorApi(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").AddEndpointFilter<ApiKeyFilter>();
        v1.MapPost("/chat/completions", (HttpContext context, CompletionHandler handler) =>
            handler.HandleAsync(context, OpenAIJsonContext.Default.ChatCompletionRequest, CompletionKind.Chat));
        v1.MapPost("/completions", (HttpContext context, CompletionHandler handler) =>
            handler.HandleAsync(context, OpenAIJsonContext.Default.CompletionRequest, CompletionKind.Text));
        v1.MapGet("/models", ListModels);
        v1.MapGet("/mesh/engines", GetEnginesAsync);
        v1.MapGet("/mesh/requests", ListRequests);
        v1.MapGet("/mesh/requests/{id}/trace", GetTrace);
        return app;
    }

    /// <summary>The union of the models of routable engines (static backends serve whatever they are asked).</summary>
    private static Ok<ModelList> ListModels(EngineRegistry registry) =>
        TypedResults.Ok(new ModelList([.. registry.Engines
            .Where(e => !e.IsStatic && e.Breaker.AllowsRouting)
            .GroupBy(e => e.Model)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ModelCard(g.Key, g.Min(e => e.Epoch) / 1000, "mesh", new ModelDetails(
                Weights: g.Any(e => e.Heartbeat.Simulated) ? "simulated" : "engine",
                Simulated: g.All(e => e.Heartbeat.Simulated),
                Note: $"Served by {g.Count()} engine(s) of the mesh; see GET /v1/models on an engine for its weights.",
                ContextWindow: g.Min(e => e.Heartbeat.ContextWindow),
                Parameters: 0,
                Engines: [.. g.Select(e => e.Id).Order(StringComparer.Ordinal)])))]));

    private static async Task<JsonHttpResult<MeshEnginesView>> GetEnginesAsync(
        EngineRegistry registry, IPrefixIndex prefixIndex, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var views = new List<EngineView>();
        foreach (var e in registry.Engines.OrderBy(e => e.Tier).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            var load = e.Heartbeat.Load;
            var entries = e.IsStatic ? 0 : await CountEntriesAsync(prefixIndex, e, cancellationToken);
            views.Add(new EngineView(
                e.Id, e.Epoch, e.Url, e.TierName, e.Model, e.IsStatic, e.Heartbeat.Simulated, e.Breaker.AllowsRouting,
                e.Breaker.State.ToString(), e.Breaker.ConsecutiveFailures, load.Running, load.Waiting, e.Slots, e.Capacity, e.InFlight,
                e.Heartbeat.KvCapacityBlocks, load.KvBlocksUsed, load.KvBlocksCached, Math.Round(e.PrefillMsPerToken, 4), Math.Round(e.ServiceMs, 1),
                load.PrefillMsPerToken, load.DecodeMsPerStep, e.IsStatic ? 0 : Math.Round((now - e.LastHeartbeatAt).TotalMilliseconds), entries));
        }
        return TypedResults.Json(new MeshEnginesView(prefixIndex.Kind, registry.RoutableCount, views), CoordinatorJsonContext.Default.MeshEnginesView);
    }

    private static async Task<long> CountEntriesAsync(IPrefixIndex prefixIndex, EngineEntry engine, CancellationToken cancellationToken)
    {
        try
        {
            return await prefixIndex.CountAsync(engine.Instance, cancellationToken);
        }
        catch (StackExchange.Redis.RedisException)
        {
            return -1;
        }
    }

    private static JsonHttpResult<IReadOnlyList<TraceDocument>> ListRequests(RecentRequests recent, int? limit) =>
        TypedResults.Json(recent.Latest(Math.Clamp(limit ?? 50, 1, 1000)), CoordinatorJsonContext.Default.IReadOnlyListTraceDocument);

    private static Results<JsonHttpResult<TraceDocument>, ApiErrorResult> GetTrace(string id, RecentRequests recent) =>
        recent.Find(id) is { } document
            ? TypedResults.Json(document, CoordinatorJsonContext.Default.TraceDocument)
            : new ApiErrorResult(ApiError.NotFound($"No recent request has the id '{id}'."));

    /// <summary>When <c>Coordinator:ApiKey</c> is set, every <c>/v1</c> call needs <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    private sealed class ApiKeyFilter(IOptions<CoordinatorOptions> options) : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var key = options.Value.ApiKey;
            if (!string.IsNullOrEmpty(key)
                && !string.Equals(context.HttpContext.Request.Headers.Authorization.ToString(), "Bearer " + key, StringComparison.Ordinal))
            {
                return new ApiErrorResult(ApiError.Unauthorized());
            }
            return await next(context);
        }
    }
}
