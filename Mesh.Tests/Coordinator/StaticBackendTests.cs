using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Mesh.Contracts.Telemetry;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// A cloud provider behind the mesh (as <c>Mesh:Cloud:Url</c>): what the engines cannot do goes to it unchanged, its model
/// is listed, and a model nobody serves is a 404 rather than the provider's problem. No provider can be reached from the
/// test machine, so a small OpenAI-compatible server stands in for it and records what it receives.
/// </summary>
public sealed class StaticBackendTests(StaticBackendTests.Fixture mesh) : IClassFixture<StaticBackendTests.Fixture>
{
    public sealed class Fixture : MeshAppFixture
    {
        private WebApplication? _provider;

        public ConcurrentQueue<(JsonObject Body, string? Authorization)> Received { get; } = new();

        protected override string[] Arguments =>
        [
            "--Mesh:Engines:Model=tiny",
            "--Mesh:Engines:Replicas=1",
            "--Mesh:Engines:HeartbeatInterval=00:00:00.250",
            "--Mesh:Coordinator:Port=0",
            "--Mesh:Dashboard=false",
            $"--Mesh:Cloud:Url={_provider!.Urls.First()}/v1", // with its /v1, as providers document their base URL
            "--Mesh:Cloud:Model=provider-model",
            "--Mesh:Cloud:ApiKey=sk-test",
        ];

        protected override async ValueTask OnStartingAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _provider = builder.Build();
            _provider.MapPost("/v1/chat/completions", async (HttpContext context) =>
            {
                var body = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!.AsObject();
                Received.Enqueue((body, context.Request.Headers.Authorization.ToString()));
                context.Response.ContentType = "text/event-stream";
                foreach (var chunk in new[] { "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"provider-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"from the provider\"},\"finish_reason\":null}]}",
                    "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"provider-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                    "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"provider-model\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}" })
                {
                    await context.Response.WriteAsync($"data: {chunk}\n\n");
                }
                await context.Response.WriteAsync("data: [DONE]\n\n");
            });
            await _provider.StartAsync();
        }

        protected override async ValueTask OnDisposingAsync()
        {
            if (_provider is not null)
            {
                await _provider.DisposeAsync();
            }
        }
    }

    private static JsonObject WithTools() => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "What is the weather in Paris?" },
            new JsonObject
            {
                ["role"] = "assistant", ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "call_1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "weather", ["arguments"] = "{\"city\":\"Paris\"}" } }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "sunny" }),
        ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = "weather", ["parameters"] = new JsonObject { ["type"] = "object" } } }),
        ["tool_choice"] = "auto",
        ["response_format"] = new JsonObject { ["type"] = "json_object" },
    };

    [Fact]
    public Task What_the_engines_cannot_do_goes_unchanged_to_the_cloud_backend() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var sent = WithTools();
        using var response = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", sent));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("from the provider", (string?)answer["choices"]![0]!["message"]!["content"]);
        Assert.Equal("cloud", (string?)answer["mesh"]!["engine"]);
        var (received, authorization) = mesh.Received.Last();
        Assert.Equal("Bearer sk-test", authorization);
        Assert.Equal("provider-model", (string?)received["model"]);
        foreach (var field in new[] { "tools", "tool_choice", "response_format", "messages" })
        {
            // A null field and an absent one mean the same to the API; everything else must arrive as sent.
            Assert.True(JsonNode.DeepEquals(WithoutNulls(sent[field]), WithoutNulls(received[field])), $"{field} was changed: {received[field]?.ToJsonString()}");
        }
        Assert.False(received.ContainsKey("seed"), "the coordinator added a seed");
        Assert.False(received.ContainsKey("max_tokens"), "the coordinator added a length");
    });

    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(WithoutNulls)]),
        _ => node?.DeepClone(),
    };

    [Fact]
    public Task Without_a_tier_that_can_serve_it_the_request_gets_unsupported_parameter() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var count = mesh.Received.Count;
        using var response = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", WithTools(), (MeshHeaders.TierPolicy, "LocalOnly")));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unsupported_parameter", (string?)error["code"]);
        Assert.Equal("tools", (string?)error["param"]);
        Assert.Equal(count, mesh.Received.Count);
    });

    [Fact]
    public Task Models_are_listed_and_retrievable_and_an_unknown_model_is_a_404_that_reaches_no_backend() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var models = await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/models");
        Assert.Equal(["mesh-tiny", "provider-model"], models["data"]!.AsArray().Select(m => (string)m!["id"]!).Order(StringComparer.Ordinal));
        Assert.Equal("provider-model", (string?)(await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/models/provider-model"))["id"]);
        using (var missing = await mesh.Coordinator.GetAsync(new Uri("/v1/models/gpt-17", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        var count = mesh.Received.Count;
        using var typo = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2, model: "gpt-17")));
        Assert.Equal(HttpStatusCode.NotFound, typo.StatusCode);
        Assert.Equal("model_not_found", (string?)JsonNode.Parse(await typo.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal(count, mesh.Received.Count);

        using var byName = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2, model: "provider-model")));
        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        Assert.Equal(count + 1, mesh.Received.Count);
        Assert.Equal(byName.Headers.GetValues(MeshHeaders.RequestId).Single(), byName.Headers.GetValues(MeshHeaders.OpenAIRequestId).Single());
    });
}
