using System.Text.Json.Nodes;
using Mesh.AppHost;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.AppHost;

/// <summary>Two coordinators behind the YARP front, started from the AppHost's app model with <c>Mesh:Coordinator:Replicas=2</c>.</summary>
public sealed class TwoCoordinatorsFixture : MeshAppFixture
{
    protected override string[] Arguments => [.. base.Arguments, "--Mesh:Coordinator:Replicas=2"];
}

/// <summary>N coordinators share one view through Redis: a prefix sent through one is a cache hit through another, and the front balances them.</summary>
public sealed class CoordinatorFrontTests(TwoCoordinatorsFixture mesh) : IClassFixture<TwoCoordinatorsFixture>
{
    private static JsonObject Ask(string system, string question, int maxTokens = 8) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = maxTokens,
        ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    private static string NewSystem() => $"System {Guid.NewGuid():N}: you answer questions about inference meshes with care and at length.";

    private List<HttpClient> Coordinators() =>
        [.. mesh.App.Replicas("coordinator").Select(r => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = r.Url })];

    [Fact]
    public Task A_prefix_sent_through_one_coordinator_is_a_cache_hit_through_the_other() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var coordinators = Coordinators();
        Assert.Equal(2, coordinators.Count);
        foreach (var coordinator in coordinators)
        {
            // Each coordinator sees every engine (from the heartbeats in Redis) before the test relies on it.
            await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(coordinator, "/v1/mesh/engines"),
                state => (int)state["active_engines"]! >= 4, state => $"{state["active_engines"]} engines");
        }
        var system = NewSystem();

        var first = await OpenAIClient.StreamAsync(coordinators[0], "/v1/chat/completions", Ask(system, "first"));
        // The first coordinator records the prefix in Redis after answering; the second reads it from there.
        var second = await Eventually.MatchAsync(
            () => OpenAIClient.StreamAsync(coordinators[1], "/v1/chat/completions", Ask(system, "second")),
            result => result.Usage?["prompt_tokens_details"]?["cached_tokens"] is { } cached && (int)cached > 0,
            result => $"no cached tokens: {result.Usage?.ToJsonString()} engine {result.Headers.GetValueOrDefault(MeshHeaders.Engine)}");

        Assert.Equal(200, first.StatusCode);
        Assert.Equal(first.Headers[MeshHeaders.Engine], second.Headers[MeshHeaders.Engine]);
        Assert.Equal("0", first.Usage!["prompt_tokens_details"]!["cached_tokens"]!.ToString());
    });

    [Fact]
    public Task The_front_balances_requests_over_both_coordinators_and_streams_through() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var front = new HttpClient { BaseAddress = mesh.App.Endpoint(MeshAppModel.FrontResource) };
        var coordinators = Coordinators();
        var served = new HashSet<int>();
        for (var i = 0; i < 10; i++)
        {
            var result = await OpenAIClient.StreamAsync(front, "/v1/chat/completions", Ask(NewSystem(), $"question {i}"));
            Assert.Equal(200, result.StatusCode);
            Assert.True(result.Done);
            Assert.Equal(8, (int)result.Usage!["completion_tokens"]!);
            var requestId = result.Headers[MeshHeaders.RequestId];
            // Which coordinator answered: the one that kept the request's trace, which it does just after the stream ends.
            var keptBy = await Eventually.MatchAsync(async () =>
                {
                    var found = new List<int>();
                    for (var c = 0; c < coordinators.Count; c++)
                    {
                        using var trace = await coordinators[c].GetAsync(new Uri($"/v1/mesh/requests/{requestId}/trace", UriKind.Relative));
                        if (trace.IsSuccessStatusCode)
                        {
                            found.Add(c);
                        }
                    }
                    return found;
                },
                found => found.Count > 0,
                found => $"no coordinator kept the trace of {requestId}");
            served.UnionWith(keptBy);
        }

        Assert.Equal([0, 1], served.Order());
    });

    [Fact]
    public Task A_stream_through_the_front_delivers_its_first_token_before_the_completion_ends() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var front = new HttpClient { BaseAddress = mesh.App.Endpoint(MeshAppModel.FrontResource) };
        var coordinators = Coordinators();
        using var response = await front.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask(NewSystem(), "a long answer, please", maxTokens: 900)),
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
        }

        // A buffering proxy would hold the first token until all 900 were generated and the coordinator had kept the trace.
        var requestId = response.Headers.GetValues(MeshHeaders.RequestId).Single();
        foreach (var coordinator in coordinators)
        {
            var trace = await coordinator.GetAsync(new Uri($"/v1/mesh/requests/{requestId}/trace", UriKind.Relative));
            Assert.False(trace.IsSuccessStatusCode, "the request was already complete when its first token arrived through the front");
        }
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("data: [DONE]", rest, StringComparison.Ordinal);
    });
}
