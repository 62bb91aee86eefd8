using System.Text.Json.Serialization.Metadata;
using Mesh.Contracts.Hashing;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Contracts.Tokenization;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Validation;

/// <summary>
/// Reads and validates a completion's body, resolves the policies and the model, tokenizes with the engines' tokenizer
/// and chat template and hashes the prompt's blocks exactly as the engines will. Bad input is answered with the error
/// the client needs and changes no state.
/// </summary>
internal sealed class CompletionRequestReader(
    EngineRegistry registry,
    RoutingPolicies policies,
    MeshTokenizer tokenizer,
    IOptions<CoordinatorOptions> options)
{
    private readonly CoordinatorOptions _options = options.Value;

    /// <summary>The request ready to route, or the error to answer with.</summary>
    public async Task<(CompletionContext? Request, ApiError? Error)> ReadAsync<TRequest>(
        HttpContext context, JsonTypeInfo<TRequest> typeInfo, CompletionKind kind, string requestId)
        where TRequest : GenerationRequest
    {
        var (body, error) = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodyBytes, typeInfo, context.RequestAborted);
        if (error is not null)
        {
            return (null, error);
        }
        error = body switch
        {
            ChatCompletionRequest chat => RequestValidator.Validate(chat),
            CompletionRequest completion => RequestValidator.Validate(completion),
            _ => ApiError.InvalidRequest("Unsupported request."),
        };
        if (error is not null)
        {
            return (null, error);
        }
        var headers = context.Request.Headers;
        var policy = policies.Default;
        if (headers[MeshHeaders.Policy] is { Count: > 0 } policyHeader && !policies.TryGet(policyHeader, out policy))
        {
            return (null, ApiError.InvalidRequest(
                $"Unknown routing policy '{policyHeader}' in {MeshHeaders.Policy}. Use {string.Join(", ", policies.Names)}.", MeshHeaders.Policy, "invalid_value"));
        }
        var tierPolicy = _options.ResolvedDefaultTierPolicy;
        if (headers[MeshHeaders.TierPolicy] is { Count: > 0 } tierHeader && !TierPolicies.TryParse(tierHeader, out tierPolicy))
        {
            return (null, ApiError.InvalidRequest(
                $"Unknown tier policy '{tierHeader}' in {MeshHeaders.TierPolicy}. Use LocalOnly, CloudOnly or LocalFirstWithCloudFallback.", MeshHeaders.TierPolicy, "invalid_value"));
        }
        var model = body!.Model is { Length: > 0 } requested ? requested : DefaultModel();
        if (model is null)
        {
            return (null, ApiError.ServiceUnavailable("No engine is registered yet. Retry after the time in Retry-After.", TimeSpan.FromSeconds(1)));
        }
        // What the mesh's engines cannot do goes, unchanged, only to backends that take it (a cloud provider).
        var unsupported = EngineSupport.Check(body);
        var servers = registry.Engines.Where(e => registry.Serves(e, model)).ToList();
        if (servers.Count == 0)
        {
            return (null, registry.IsLocalModel(model)
                ? ApiError.ServiceUnavailable($"No engine serving '{model}' is up right now. Retry after the time in Retry-After.", TimeSpan.FromSeconds(1))
                : ApiError.ModelNotFound(model));
        }
        servers.RemoveAll(e => !TierSelector.Allows(tierPolicy, e.Tier) || (unsupported is not null && !e.IsStatic));
        if (servers.Count == 0)
        {
            return (null, unsupported ?? ApiError.ServiceUnavailable(
                $"No engine serves '{model}' under the tier policy {tierPolicy.ToWire()}. Retry after the time in Retry-After.", TimeSpan.FromSeconds(1)));
        }
        var prompt = PromptBuilder.Build(tokenizer, body);
        var engines = servers.Where(e => !e.IsStatic).ToList();
        var contextWindow = (engines.Count > 0 ? engines : servers).Min(e => e.Heartbeat.ContextWindow);
        error = RequestValidator.ResolveMaxTokens(body, prompt.Length, contextWindow, _options.DefaultMaxTokens, out var maxTokens);
        if (error is not null)
        {
            return (null, error);
        }
        var blockSize = engines.Count > 0 ? engines[0].Heartbeat.BlockSize : PrefixBlockHasher.DefaultBlockSize;
        return (new CompletionContext(
            context,
            body,
            kind,
            requestId,
            model,
            prompt,
            PrefixBlockHasher.ComputeHashes(prompt, blockSize),
            maxTokens,
            body.Seed ?? Random.Shared.NextInt64(),
            policy,
            tierPolicy,
            body.Stream,
            body.IncludeUsage)
        {
            StaticBackendsOnly = unsupported is not null,
            ClientMaxTokens = body.MaxTokens,
            ClientMaxCompletionTokens = body.MaxCompletionTokens,
            ClientSeed = body.Seed,
        }, null);
    }

    /// <summary>A request without a model gets the model of the local engines (the first by id, if they differ).</summary>
    private string? DefaultModel() =>
        registry.Engines.Where(e => !e.IsStatic).OrderBy(e => e.Tier).ThenBy(e => e.Id, StringComparer.Ordinal).Select(e => e.Model).FirstOrDefault();
}
