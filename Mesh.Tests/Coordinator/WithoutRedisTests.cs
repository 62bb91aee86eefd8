using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Coordinator;

/// <summary>No Redis at all: the coordinator discovers engines over HTTP and routes with its embedded prefix index.</summary>
public sealed class WithoutRedisTests
{
    [Fact]
    public async Task Engines_are_discovered_over_HTTP_and_a_repeated_prefix_still_hits()
    {
        await using var a = await ServiceProcess.StartAsync("Mesh.Engine", ["--Engine:Model=tiny", "--Engine:Id=engine-noredisa"]);
        await using var b = await ServiceProcess.StartAsync("Mesh.Engine", ["--Engine:Model=tiny", "--Engine:Id=engine-noredisb"]);
        await using var coordinator = await ServiceProcess.StartAsync("Mesh.Coordinator",
            [.. MeshCluster.FastCoordinator, $"--Coordinator:Engines:0={a.BaseUrl}", $"--services:engine:http:0={b.BaseUrl}"]);
        await MeshCluster.WaitForEnginesAsync(coordinator, "engine-noredisa", "engine-noredisb");

        var state = await OpenAIClient.GetJsonAsync(coordinator.Client, "/v1/mesh/engines");
        var system = $"System prompt {Guid.NewGuid():N} long enough to fill two whole blocks of sixteen tokens each, at least.";
        JsonObject Ask(string q) => new()
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = system }, new JsonObject { ["role"] = "user", ["content"] = q }),
            ["max_tokens"] = 2,
        };
        using var first = await coordinator.Client.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask("one")));
        using var second = await coordinator.Client.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask("two")));
        var secondBody = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        Assert.Equal("embedded", (string?)state["prefix_index"]);
        Assert.Equal(first.Headers.GetValues(MeshHeaders.Engine).Single(), second.Headers.GetValues(MeshHeaders.Engine).Single());
        Assert.True((int)secondBody["usage"]!["prompt_tokens_details"]!["cached_tokens"]! >= 32);
    }
}
