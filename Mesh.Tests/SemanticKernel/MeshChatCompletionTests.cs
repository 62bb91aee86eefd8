using Mesh.SemanticKernel;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Mesh.Tests.SemanticKernel;

/// <summary>The Semantic Kernel extension against a real coordinator: the routing hints reach it, its report comes back, its errors surface as SK's.</summary>
[Collection(SharedMesh.Name)]
public sealed class MeshChatCompletionTests(MeshAppFixture mesh)
{
    private IChatCompletionService Chat(out Kernel kernel)
    {
        kernel = Kernel.CreateBuilder().AddMeshChatCompletion(mesh.Coordinator.BaseAddress!, "mesh-tiny").Build();
        return kernel.GetRequiredService<IChatCompletionService>();
    }

    private static ChatHistory History(string question)
    {
        var history = new ChatHistory($"System {Guid.NewGuid():N}: you answer questions about inference meshes, routing and caches, with care and at length.");
        history.AddUserMessage(question);
        return history;
    }

    [Fact]
    public Task A_result_carries_the_mesh_report_and_the_routing_hints_decide_the_route() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var chat = Chat(out var kernel);

        var local = await chat.GetChatMessageContentAsync(History("hello"),
            new MeshPromptExecutionSettings { MaxTokens = 4, RoutingPolicy = "round_robin", TierPolicy = "LocalOnly" }, kernel);
        var cloud = await chat.GetChatMessageContentAsync(History("hello"), new MeshPromptExecutionSettings { MaxTokens = 4, TierPolicy = "CloudOnly" }, kernel);

        var localReport = MeshReport.FromMetadata(local.Metadata)!;
        Assert.StartsWith("engine-", localReport.Engine, StringComparison.Ordinal);
        Assert.Equal(("local", "round_robin"), (localReport.Tier, localReport.Reason));
        Assert.StartsWith("req_", localReport.RequestId, StringComparison.Ordinal);
        Assert.True(localReport.TimeToFirstTokenMs > 0);
        var decision = await OpenAIClient.GetJsonAsync(mesh.Coordinator, $"/v1/mesh/requests/{localReport.RequestId}/trace");
        Assert.Equal(("round_robin", "LocalOnly"), ((string?)decision["policy"], (string?)decision["tier_policy"]));

        var cloudReport = MeshReport.FromMetadata(cloud.Metadata)!;
        Assert.Equal(("cloud", "cloud", "cloud_only"), (cloudReport.Engine, cloudReport.Tier, cloudReport.Reason));
    });

    [Fact]
    public Task A_streamed_answer_carries_the_report_and_a_repeated_prefix_reports_its_cached_tokens() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var chat = Chat(out var kernel);
        var history = History("first question");
        var settings = new MeshPromptExecutionSettings { MaxTokens = 6, TierPolicy = "LocalOnly" };
        var first = await chat.GetStreamingChatMessageContentsAsync(history, settings, kernel).ToListAsync();
        history.RemoveAt(history.Count - 1);
        history.AddUserMessage("second question");
        var second = await chat.GetStreamingChatMessageContentsAsync(history, settings, kernel).ToListAsync();

        var firstReport = MeshReport.FromMetadata(first[0].Metadata)!;
        var secondReport = MeshReport.FromMetadata(second[^1].Metadata)!;
        Assert.NotEmpty(string.Concat(second.Select(c => c.Content)));
        Assert.Equal(firstReport.Engine, secondReport.Engine);
        Assert.Equal("prefix_hit", secondReport.Reason);
        Assert.True(secondReport.CachedTokens > 0, "the repeated system prompt was not served from the cache");
    });

    [Fact]
    public Task The_coordinators_errors_surface_as_Semantic_Kernel_exceptions_with_its_message() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var chat = Chat(out var kernel);

        var tooLong = await Assert.ThrowsAsync<HttpOperationException>(() =>
            chat.GetChatMessageContentAsync(History("hello"), new MeshPromptExecutionSettings { MaxTokens = 100_000 }, kernel));
        var badPolicy = await Assert.ThrowsAsync<HttpOperationException>(() =>
            chat.GetChatMessageContentAsync(History("hello"), new MeshPromptExecutionSettings { MaxTokens = 2, RoutingPolicy = "fastest" }, kernel));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("maximum context length", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("Unknown routing policy 'fastest'", badPolicy.Message, StringComparison.Ordinal);
    });

    [Fact]
    public void Settings_from_a_prompt_template_keep_their_routing_hints()
    {
        var fromTemplate = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 7, ["mesh_tier_policy"] = "LocalOnly", ["mesh_routing_policy"] = "least_loaded" },
        };

        var settings = MeshPromptExecutionSettings.FromExecutionSettings(fromTemplate);

        Assert.Equal((7, "LocalOnly", "least_loaded"), (settings.MaxTokens, settings.TierPolicy, settings.RoutingPolicy));
        var clone = (MeshPromptExecutionSettings)settings.Clone();
        Assert.Equal(("LocalOnly", "least_loaded"), (clone.TierPolicy, clone.RoutingPolicy));
    }
}
