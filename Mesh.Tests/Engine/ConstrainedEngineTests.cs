using System.Net;
using System.Text.Json.Nodes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine;

/// <summary>An engine with a small KV cache and one slot: eviction under pressure and 429 when its queue is full.</summary>
public sealed class ConstrainedEngineTests(ConstrainedEngineTests.Fixture fixture) : IClassFixture<ConstrainedEngineTests.Fixture>
{
    public sealed class Fixture : EngineFixture
    {
        protected override string[] Arguments =>
            ["--Engine:Model=tiny", "--Engine:KvCapacityBlocks=24", "--Engine:MaxRunningSequences=1", "--Engine:MaxWaitingSequences=0"];
    }

    private readonly HttpClient _client = fixture.Client;

    private static JsonObject Prompt(int salt) => new()
    {
        ["prompt"] = new JsonArray([.. Enumerable.Range(0, 96).Select(i => JsonValue.Create(2000 + salt * 1000 + i))]),
        ["max_tokens"] = 4,
        ["temperature"] = 0,
    };

    /// <summary>The other test of this class may have left a cancelled stream that the engine is still retiring.</summary>
    private Task<JsonObject> WaitIdleAsync() =>
        Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(_client, "/v1/engine/state"),
            state => (int)state["statistics"]!["running"]! == 0, state => state["statistics"]!.ToJsonString());

    private static int Cached(JsonObject response) => (int)response["usage"]!["prompt_tokens_details"]!["cached_tokens"]!;

    [Fact]
    public async Task Under_capacity_pressure_a_prefix_seen_once_is_evicted_before_a_reused_one()
    {
        await WaitIdleAsync();
        var first = await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(1));
        Assert.Equal(96, Cached(await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(1)))); // reused: protected now
        await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(5)); // seen once
        // Three more 6-block prompts (plus their decode blocks) do not fit beside both in 24 blocks.
        for (var salt = 2; salt <= 4; salt++)
        {
            await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(salt));
        }
        var state = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");

        Assert.Equal(0, Cached(first));
        Assert.Equal(96, Cached(await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(1))));
        Assert.Equal(0, Cached(await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Prompt(5))));
        Assert.True((long)state["statistics"]!["kv_evictions"]! > 0);
        Assert.True((int)state["statistics"]!["kv_blocks_used"]! + (int)state["statistics"]!["kv_blocks_cached"]! <= 24);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_Retry_After()
    {
        await WaitIdleAsync();
        var body = new JsonObject { ["prompt"] = "a long one", ["max_tokens"] = 300, ["stream"] = true };
        using var running = await _client.SendAsync(OpenAIClient.Post("/v1/completions", body), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, running.StatusCode);
        using var rejected = await _client.SendAsync(OpenAIClient.Post("/v1/completions", new JsonObject { ["prompt"] = "x", ["max_tokens"] = 1 }));

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.Equal("rate_limit_exceeded", (string?)JsonNode.Parse(await rejected.Content.ReadAsStringAsync())!["error"]!["code"]);
    }
}
