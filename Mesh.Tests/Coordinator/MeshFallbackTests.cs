using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Registry;
using Mesh.Contracts.Telemetry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// Every local engine down: two registered local engines whose processes are gone (their heartbeat keys outlive
/// them), one live cloud-tier engine, and a coordinator with an API key.
/// </summary>
public sealed class MeshFallbackTests(MeshFallbackTests.Fixture mesh) : IClassFixture<MeshFallbackTests.Fixture>
{
    private const string ApiKey = "test-key-123";
    private static readonly string[] DeadLocals = ["engine-deadaaaa", "engine-deadbbbb"];

    public sealed class Fixture : TestAppFixture
    {
        public HttpClient Coordinator => App.Client("coordinator");

        protected override void Define(IDistributedApplicationBuilder builder)
        {
            var redis = builder.AddLocalRedis("redis");
            builder.AddMeshEngine("engine-cloudbbb", redis, "cloud");
            builder.AddMeshCoordinator("coordinator", redis, $"--Coordinator:ApiKey={ApiKey}", "--Coordinator:CircuitBreaker:FailureThreshold=100");
        }

        protected override async ValueTask OnStartedAsync()
        {
            var redis = await App.RedisDatabaseAsync();
            foreach (var id in DeadLocals)
            {
                var heartbeat = new EngineHeartbeat
                {
                    Id = id, Epoch = 1, Url = $"http://127.0.0.1:{FreePort.Next()}", Tier = "local", Model = "mesh-tiny",
                    KvCapacityBlocks = 64, BlockSize = 16, ContextWindow = 1024, Load = new EngineLoad { MaxRunning = 4, MaxWaiting = 4 },
                };
                await redis.StringSetAsync(RedisKeys.Engine(id), JsonSerializer.Serialize(heartbeat, RegistryJsonContext.Default.EngineHeartbeat), TimeSpan.FromMinutes(10));
            }
            Coordinator.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
            await MeshTestModel.WaitForEnginesAsync(Coordinator, () => App.Logs("coordinator"), [.. DeadLocals, "engine-cloudbbb"]);
        }
    }

    [Fact]
    public async Task Local_first_falls_back_to_the_cloud_when_every_local_engine_is_unreachable()
    {
        var before = await PrometheusScrape.ReadAsync(mesh.Coordinator);
        using var response = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("fallback?", 3),
            (MeshHeaders.TierPolicy, "LocalFirstWithCloudFallback")));
        var after = await PrometheusScrape.ReadAsync(mesh.Coordinator);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("engine-cloudbbb", response.Headers.GetValues(MeshHeaders.Engine).Single());
        Assert.Equal(before.Sum("coordinator_all_engines_exhausted_total") + 1, after.Sum("coordinator_all_engines_exhausted_total"));
        Assert.Equal(before.Sum("coordinator_engine_unreachable_total") + 2, after.Sum("coordinator_engine_unreachable_total"));
    }

    [Fact]
    public async Task Local_only_with_every_local_engine_down_answers_503_with_Retry_After()
    {
        using var response = await mesh.Coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("local?", 3),
            (MeshHeaders.TierPolicy, "LocalOnly")));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("service_unavailable", (string?)error["code"]);
        Assert.NotNull(response.Headers.GetValues(MeshHeaders.RequestId).Single());
    }

    [Fact]
    public async Task A_stream_from_the_cloud_when_locals_are_down_is_complete()
    {
        var result = await OpenAIClient.StreamAsync(mesh.Coordinator, "/v1/chat/completions", OpenAIClient.Chat("stream it", 12, stream: true));
        Assert.True(result.Done);
        Assert.Equal(12, (int)result.Usage!["completion_tokens"]!);
        Assert.Equal("engine-cloudbbb", (string?)result.Events.Last()["mesh"]!["engine"]);
    }

    [Fact]
    public async Task Without_the_API_key_a_request_gets_401()
    {
        using var anonymous = new HttpClient { BaseAddress = mesh.Coordinator.BaseAddress };
        using var response = await anonymous.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2)));
        using var wrong = await anonymous.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2), ("Authorization", "Bearer nope")));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_api_key", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
    }
}
