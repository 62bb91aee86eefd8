using System.Text.Json.Serialization.Metadata;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Contracts.Tokenization;
using Mesh.Engine.Registry;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;
using Microsoft.Extensions.Options;

namespace Mesh.Engine.Api;

/// <summary>Reads, validates and queues a completion request; the returned result streams or returns the answer.</summary>
public sealed class CompletionHandler(
    GenerationPlanner planner,
    EngineScheduler scheduler,
    EngineIdentity identity,
    MeshTokenizer tokenizer,
    EngineMetrics metrics,
    IOptions<EngineOptions> options,
    TimeProvider time)
{
    private static readonly TimeSpan RetryAfterWhenFull = TimeSpan.FromSeconds(1);
    private long _nextSequenceId;

    public async Task<IResult> HandleAsync<TRequest>(HttpContext context, JsonTypeInfo<TRequest> typeInfo)
        where TRequest : GenerationRequest
    {
        var (request, error) = await RequestBodyReader.ReadAsync(context.Request, options.Value.MaxRequestBodyBytes, typeInfo, context.RequestAborted);
        if (error is not null)
        {
            return new ApiErrorResult(error);
        }
        var includeTokenIds = context.Request.Headers.ContainsKey(MeshHeaders.IncludeTokenIds);
        error = planner.TryPlan(request!, includeTokenIds, out var plan);
        if (error is not null)
        {
            return new ApiErrorResult(error);
        }
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var sequence = new Sequence(
            Interlocked.Increment(ref _nextSequenceId), plan!.Prompt, plan.MaxNewTokens, plan.Sampling, identity.BlockSize, cancellation.Token);
        if (!scheduler.TryEnqueue(sequence))
        {
            cancellation.Dispose();
            return new ApiErrorResult(ApiError.TooManyRequests(
                "The engine's queue is full. Retry after the time in Retry-After.", RetryAfterWhenFull));
        }
        var result = new GenerationResult(sequence, plan, cancellation, identity, tokenizer, metrics, time);
        context.Response.RegisterForDispose(result);
        return result;
    }
}
