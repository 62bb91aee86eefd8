using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Security;
using Mesh.Contracts.Registry;
using Microsoft.Extensions.Options;
using Mesh.Engine.Model;
using Mesh.Engine.Registry;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mesh.Engine.Api;

public static class EngineEndpoints
{
    /// <summary>
    /// The OpenAI endpoints and the engine's own. With a mesh secret, every <c>/v1</c> call needs the engine API key
    /// derived from it (the coordinators send it); <c>/health</c>, <c>/alive</c> and <c>/metrics</c> stay open.
    /// </summary>
    public static WebApplication MapEngineApi(this WebApplication app)
    {
        var secret = app.Configuration[MeshSecret.ConfigurationKey];
        var v1 = app.MapGroup("/v1").AddEndpointFilter(new BearerTokenFilter(string.IsNullOrEmpty(secret) ? null : MeshSecret.EngineApiKey(secret)));
        v1.MapPost("/chat/completions", (HttpContext context, CompletionHandler handler) =>
            handler.HandleAsync(context, OpenAIJsonContext.Default.ChatCompletionRequest));
        v1.MapPost("/completions", (HttpContext context, CompletionHandler handler) =>
            handler.HandleAsync(context, OpenAIJsonContext.Default.CompletionRequest));
        v1.MapGet("/models", ListModels);
        v1.MapGet("/engine/state", GetState);
        v1.MapGet("/engine/heartbeat", GetHeartbeat);
        v1.MapPost("/engine/cache/reset", ResetCache);
        return app;
    }

    private static Ok<ModelList> ListModels(ModelInfo model, EngineIdentity identity) =>
        TypedResults.Ok(new ModelList(
        [
            new ModelCard(model.ServedName, identity.Epoch / 1000, "mesh", new ModelDetails(
                model.WeightsSource, model.IsSimulated, model.Note, model.ContextWindow, model.Config.ParameterCount, [identity.Id])),
        ]));

    private static JsonHttpResult<EngineState> GetState(EngineIdentity identity, EngineStatistics statistics) =>
        TypedResults.Json(
            new EngineState(identity.Id, identity.Epoch, identity.Tier.ToString().ToLowerInvariant(), identity.Url,
                identity.Model.ServedName, identity.Model.Backend, identity.Model.IsSimulated, identity.BlockSize, statistics),
            EngineJsonContext.Default.EngineState);

    /// <summary>The heartbeat the engine publishes to Redis, for coordinators that discover engines over HTTP (no Redis).</summary>
    private static JsonHttpResult<EngineHeartbeat> GetHeartbeat(EngineIdentity identity, EngineStatistics statistics, IOptions<EngineOptions> options) =>
        TypedResults.Json(identity.ToHeartbeat(statistics, options.Value.MaxRunningSequences, options.Value.MaxWaitingSequences),
            RegistryJsonContext.Default.EngineHeartbeat);

    /// <summary>
    /// Forgets every cached prefix. By default the engine starts a new epoch, which tells coordinators to drop
    /// their metadata at once; <c>?epoch=keep</c> keeps the epoch, as a silent cache loss would (to exercise stale detection).
    /// </summary>
    private static async Task<Ok<CacheResetResult>> ResetCache(EngineScheduler scheduler, EngineIdentity identity, string? epoch)
    {
        await scheduler.ResetCacheAsync();
        var keep = string.Equals(epoch, "keep", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(new CacheResetResult(identity.Id, keep ? identity.Epoch : identity.RenewEpoch(), !keep));
    }

    public sealed record CacheResetResult(string Engine, long Epoch, bool EpochRenewed);
}
