using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using ChatTokenUsage = OpenAI.Chat.ChatTokenUsage;

namespace Mesh.SemanticKernel;

/// <summary>
/// The mesh as a Semantic Kernel chat-completion service: Semantic Kernel's own OpenAI connector does the work against the
/// coordinator's OpenAI-compatible API; around it, the routing hints of <see cref="MeshPromptExecutionSettings"/> go out
/// as headers, the mesh's report comes back in each result's metadata, and the GenAI client metrics are recorded.
/// Errors are the connector's (<see cref="HttpOperationException"/>, carrying the coordinator's OpenAI error message).
/// </summary>
public sealed class MeshChatCompletionService(IChatCompletionService connector, string modelId) : IChatCompletionService
{
    public IReadOnlyDictionary<string, object?> Attributes => connector.Attributes;

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var settings = MeshPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var call = new MeshCall(settings.RoutingPolicy, settings.TierPolicy).Enter();
        var started = Stopwatch.GetTimestamp();
        try
        {
            var results = await connector.GetChatMessageContentsAsync(chatHistory, settings, kernel, cancellationToken);
            var usage = results.Select(r => r.Metadata?.GetValueOrDefault("Usage") as ChatTokenUsage).FirstOrDefault(u => u is not null);
            MeshClientMetrics.Record(modelId, Stopwatch.GetElapsedTime(started), usage?.InputTokenCount, usage?.OutputTokenCount, null);
            foreach (var result in results)
            {
                result.Metadata = call.Report?.AddTo(result.Metadata) ?? result.Metadata;
            }
            return results;
        }
        catch (Exception ex) when (ex is HttpOperationException or KernelException)
        {
            MeshClientMetrics.Record(modelId, Stopwatch.GetElapsedTime(started), null, null, ex.GetType().Name);
            throw;
        }
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var settings = MeshPromptExecutionSettings.FromExecutionSettings(executionSettings);
        var call = new MeshCall(settings.RoutingPolicy, settings.TierPolicy).Enter();
        var started = Stopwatch.GetTimestamp();
        ChatTokenUsage? usage = null;
        await foreach (var chunk in connector.GetStreamingChatMessageContentsAsync(chatHistory, settings, kernel, cancellationToken))
        {
            usage ??= chunk.Metadata?.GetValueOrDefault("Usage") as ChatTokenUsage;
            chunk.Metadata = call.Report?.AddTo(chunk.Metadata) ?? chunk.Metadata;
            yield return chunk;
        }
        MeshClientMetrics.Record(modelId, Stopwatch.GetElapsedTime(started), usage?.InputTokenCount, usage?.OutputTokenCount, null);
    }
}
