using System.ClientModel;
using System.Text;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.Tests.AppHost;

/// <summary>The official OpenAI .NET SDK, pointed at the coordinator of the whole app: streamed and whole completions, usage with cached tokens, errors.</summary>
[Collection(SharedMesh.Name)]
public sealed class OpenAISdkTests(MeshAppFixture mesh)
{
    private ChatClient Client => new("mesh-tiny", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(mesh.App.Endpoint("coordinator"), "/v1") });

    private static ChatMessage[] Conversation(string question) =>
    [
        new SystemChatMessage("You are the mesh's test assistant; you answer every question about routing and caching at length."),
        new UserChatMessage(question),
    ];

    [Fact]
    public Task The_OpenAI_SDK_streams_and_completes_through_the_coordinator() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 10, Temperature = 0 };
        ChatCompletion whole = await Client.CompleteChatAsync(Conversation("first"), options);
        var streamed = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in Client.CompleteChatStreamingAsync(Conversation("first"), options))
        {
            foreach (var part in update.ContentUpdate)
            {
                streamed.Append(part.Text);
            }
            usage ??= update.Usage;
        }

        Assert.Equal(ChatFinishReason.Length, whole.FinishReason);
        Assert.Equal(10, whole.Usage.OutputTokenCount);
        Assert.Equal(whole.Content[0].Text, streamed.ToString());
        Assert.NotNull(usage);
        Assert.True(usage.InputTokenDetails.CachedTokenCount > 0, "the second request should reuse the first one's blocks");
    });

    [Fact]
    public Task The_OpenAI_SDK_surfaces_the_coordinators_errors() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var unknownModel = new ChatClient("gpt-nonexistent", new ApiKeyCredential("unused"),
            new OpenAIClientOptions { Endpoint = new Uri(mesh.App.Endpoint("coordinator"), "/v1") });
        var error = await Assert.ThrowsAsync<ClientResultException>(() => unknownModel.CompleteChatAsync(Conversation("hi")));
        Assert.Equal(404, error.Status);
        Assert.Contains("gpt-nonexistent", error.Message, StringComparison.Ordinal);
    });
}
