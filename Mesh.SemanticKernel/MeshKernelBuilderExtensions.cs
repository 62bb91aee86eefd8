using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;

namespace Mesh.SemanticKernel;

/// <summary>Adds the mesh to a kernel as its chat-completion service.</summary>
public static class MeshKernelBuilderExtensions
{
    /// <summary>The Aspire-style reference an AppHost injects for a resource named <c>coordinator</c>.</summary>
    public const string CoordinatorReference = "services:coordinator:http:0";

    /// <summary>
    /// The coordinator at <paramref name="coordinator"/> (its base address, e.g. <c>http://127.0.0.1:5080</c>) as the
    /// kernel's chat-completion service for <paramref name="modelId"/>. <paramref name="apiKey"/> is the coordinator's
    /// <c>Coordinator:ApiKey</c>, if it has one.
    /// </summary>
    public static IKernelBuilder AddMeshChatCompletion(
        this IKernelBuilder builder, Uri coordinator, string modelId, string? apiKey = null, string? serviceId = null, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        var http = new HttpClient(new MeshRoutingHandler { InnerHandler = innerHandler ?? new SocketsHttpHandler { UseProxy = false } })
        {
            Timeout = Timeout.InfiniteTimeSpan, // a stream lasts as long as its generation; cancel through the token
        };
        var endpoint = new Uri(coordinator.ToString().TrimEnd('/') + "/v1");
        var client = new OpenAIClient(new ApiKeyCredential(apiKey ?? "no-key"), new OpenAIClientOptions
        {
            Endpoint = endpoint,
            Transport = new HttpClientPipelineTransport(http),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        });
        var connector = new OpenAIChatCompletionService(modelId, client);
        builder.Services.AddKeyedSingleton<IChatCompletionService>(serviceId, new MeshChatCompletionService(connector, modelId));
        return builder;
    }

    /// <summary>
    /// As above, with the coordinator's address found in configuration the way an AppHost provides it
    /// (<c>services__coordinator__http__0</c>), or under <c>Mesh:Coordinator</c>.
    /// </summary>
    public static IKernelBuilder AddMeshChatCompletion(
        this IKernelBuilder builder, IConfiguration configuration, string modelId, string? apiKey = null, string? serviceId = null)
    {
        var address = configuration[CoordinatorReference] ?? configuration["Mesh:Coordinator"]
            ?? throw new InvalidOperationException($"No coordinator address: set {CoordinatorReference.Replace(":", "__", StringComparison.Ordinal)} or Mesh:Coordinator.");
        return builder.AddMeshChatCompletion(new Uri(address), modelId, apiKey, serviceId);
    }
}
