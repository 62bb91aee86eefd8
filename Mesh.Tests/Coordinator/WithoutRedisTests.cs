using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Coordinator;

/// <summary>No Redis at all: the coordinator discovers engines over HTTP and routes with its embedded prefix index.</summary>
public sealed class WithoutRedisTests
{
    [Fact]
    public async Task Engines_are_discovered_over_HTTP_and_a_repeated_prefix_still_hits()
    {
        // One engine named in the coordinator's own settings (so on a port known in advance), one found the AppHost's
        // way: a reference to a resource named "engine" injects services__engine__http__0.
        var configuredUrl = $"http://127.0.0.1:{FreePort.Next()}";
        await using var app = await SmallApp.StartAsync(builder =>
        {
            var port = new Uri(configuredUrl).Port;
            var configured = builder.AddService("engine-noredisa", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Id=engine-noredisa")
                .WithEndpoint("http", endpoint => (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied) = (port, port, false));
            var referenced = builder.AddService("engine", "Mesh.Engine", "--Engine:Model=tiny", "--Engine:Id=engine-noredisb");
            builder.AddMeshCoordinator("coordinator", redis: null, $"--Coordinator:Engines:0={configuredUrl}").WithReference(referenced);
        });
        var coordinator = app.Client("coordinator");
        await MeshTestModel.WaitForEnginesAsync(coordinator, () => app.Logs("coordinator"), "engine-noredisa", "engine-noredisb");

        var state = await OpenAIClient.GetJsonAsync(coordinator, "/v1/mesh/engines");
        var system = $"System prompt {Guid.NewGuid():N} long enough to fill two whole blocks of sixteen tokens each, at least.";
        JsonObject Ask(string q) => new()
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = system }, new JsonObject { ["role"] = "user", ["content"] = q }),
            ["max_tokens"] = 2,
        };
        using var first = await coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask("one")));
        using var second = await coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask("two")));
        var secondBody = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;

        Assert.Equal("embedded", (string?)state["prefix_index"]);
        Assert.Equal(first.Headers.GetValues(MeshHeaders.Engine).Single(), second.Headers.GetValues(MeshHeaders.Engine).Single());
        Assert.True((int)secondBody["usage"]!["prompt_tokens_details"]!["cached_tokens"]! >= 32);
    }
}
