using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine;

/// <summary>The engine's OpenAI API over real HTTP against a real engine process.</summary>
public sealed class EngineApiTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private readonly HttpClient _client = fixture.Client;

    private static string UniquePrompt(int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(i => $"w{Guid.NewGuid().ToString("N")[..4]}{i}"));

    [Fact]
    public async Task Streaming_and_non_streaming_give_the_same_tokens_for_the_same_seed()
    {
        var prompt = UniquePrompt(8);
        var whole = await OpenAIClient.PostJsonAsync(_client, "/v1/chat/completions", OpenAIClient.Chat(prompt, 24, seed: 11, temperature: 1f));
        var streamed = await OpenAIClient.StreamAsync(_client, "/v1/chat/completions", OpenAIClient.Chat(prompt, 24, seed: 11, stream: true, temperature: 1f));

        Assert.True(streamed.Done);
        Assert.Equal((string?)whole["choices"]![0]!["message"]!["content"], streamed.Text);
        Assert.Equal((int)whole["usage"]!["completion_tokens"]!, (int)streamed.Usage!["completion_tokens"]!);
        Assert.Equal("length", streamed.FinishReason);
        Assert.Equal("chat.completion.chunk", (string?)streamed.Events[0]["object"]);
        Assert.Equal("assistant", (string?)streamed.Events[0]["choices"]![0]!["delta"]!["role"]);
    }

    [Fact]
    public async Task A_repeated_prompt_reports_every_full_block_as_cached_and_yields_the_tokens_of_the_cold_run()
    {
        var prompt = UniquePrompt(40);
        var cold = await OpenAIClient.StreamAsync(_client, "/v1/chat/completions", OpenAIClient.Chat(prompt, 16, seed: 5, stream: true), default, ("x-mesh-token-ids", "1"));
        var warm = await OpenAIClient.StreamAsync(_client, "/v1/chat/completions", OpenAIClient.Chat(prompt, 16, seed: 5, stream: true), default, ("x-mesh-token-ids", "1"));

        var promptTokens = (int)cold.Usage!["prompt_tokens"]!;
        Assert.Equal(0, (int)cold.Usage!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(promptTokens / 16 * 16, (int)warm.Usage!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(16, cold.TokenIds.Count);
        Assert.Equal(cold.TokenIds, warm.TokenIds);
        Assert.Equal(cold.Text, warm.Text);
        Assert.Equal((promptTokens / 16 * 16).ToString(System.Globalization.CultureInfo.InvariantCulture), warm.Headers["x-mesh-cached-tokens"]);
    }

    [Fact]
    public async Task A_prompt_of_whole_blocks_is_served_entirely_from_cache_the_second_time()
    {
        var ids = new JsonArray([.. Enumerable.Range(0, 64).Select(i => JsonValue.Create(1000 + (i * 37 % 5000) + Random.Shared.Next(0, 3) * 0))]);
        ids[0] = 90000 + Random.Shared.Next(0, 5000);
        JsonObject Body() => new() { ["prompt"] = ids.DeepClone(), ["max_tokens"] = 8, ["temperature"] = 0 };
        var cold = await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Body());
        var warm = await OpenAIClient.PostJsonAsync(_client, "/v1/completions", Body());

        Assert.Equal("text_completion", (string?)warm["object"]);
        Assert.Equal(64, (int)warm["usage"]!["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal((string?)cold["choices"]![0]!["text"], (string?)warm["choices"]![0]!["text"]);
    }

    [Fact]
    public async Task Concurrent_requests_share_decode_steps()
    {
        var before = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");
        var requests = Enumerable.Range(0, 4).Select(i =>
            OpenAIClient.StreamAsync(_client, "/v1/chat/completions", OpenAIClient.Chat(UniquePrompt(5), 48, seed: i, stream: true)));
        var results = await Task.WhenAll(requests);
        var after = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");

        Assert.All(results, r => Assert.Equal(48, (int)r.Usage!["completion_tokens"]!));
        var shared = (long)after["statistics"]!["shared_decode_steps"]! - (long)before["statistics"]!["shared_decode_steps"]!;
        var steps = (long)after["statistics"]!["decode_steps"]! - (long)before["statistics"]!["decode_steps"]!;
        var tokens = (long)after["statistics"]!["decode_tokens"]! - (long)before["statistics"]!["decode_tokens"]!;
        Assert.True(shared > 0, $"no decode step advanced two sequences ({steps} steps for {tokens} tokens)");
        Assert.True(steps < tokens, $"{steps} decode steps for {tokens} decode tokens: nothing was batched");
    }

    /// <summary>OpenAI's API documents its optional fields as "or null", and clients send null for "not given".</summary>
    [Theory]
    [InlineData("stream")]
    [InlineData("stream_options")]
    [InlineData("temperature")]
    [InlineData("top_p")]
    [InlineData("seed")]
    [InlineData("stop")]
    [InlineData("n")]
    [InlineData("user")]
    public async Task Null_for_an_optional_field_means_it_was_not_given(string field)
    {
        var body = OpenAIClient.Chat(UniquePrompt(3), 2);
        body[field] = null;

        var completion = await OpenAIClient.PostJsonAsync(_client, "/v1/chat/completions", body);

        Assert.Equal("chat.completion", (string?)completion["object"]);
        Assert.Equal(2, (int)completion["usage"]!["completion_tokens"]!);
    }

    public static TheoryData<string, string, int, string?> BadInputs => new()
    {
        { "malformed JSON", "{\"messages\": [", 400, null },
        { "missing messages", "{\"model\":\"mesh-tiny\"}", 400, "messages" },
        { "unknown role", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "messages[0].role" },
        { "zero max_tokens", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}", 400, "max_tokens" },
        { "negative max_completion_tokens", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":-3}", 400, "max_completion_tokens" },
        { "max_tokens past the context window", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5000}", 400, "max_tokens" },
        { "prompt longer than the context window", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + string.Concat(Enumerable.Repeat("lorem ipsum ", 1200)) + "\"}]}", 400, "messages" },
        { "an array body", "[]", 400, null },
        { "n above one", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":3}", 400, "n" },
        { "tools", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}", 400, "tools" },
        { "structured output", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"response_format\":{\"type\":\"json_object\"}}", 400, "response_format" },
        { "log probabilities", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logprobs\":true}", 400, "logprobs" },
        { "an unknown field", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"frobnicate\":1}", 400, "frobnicate" },
        { "a tool message", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"c1\"}]}", 400, "messages[1].role" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_an_OpenAI_error_and_the_engine_keeps_serving(string name, string body, int status, string? param)
    {
        using var response = await _client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(status, (int)response.StatusCode);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]), name);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(param, (string?)error["param"]);
        Assert.True(error.AsObject().ContainsKey("code"));
        await OpenAIClient.PostJsonAsync(_client, "/v1/chat/completions", OpenAIClient.Chat("still there?", 2));
    }

    public static TheoryData<string, string, string, string?> BadCompletionInputs => new()
    {
        { "an empty prompt", "{\"model\":\"mesh-tiny\",\"prompt\":\"\",\"max_tokens\":1}", "prompt", null },
        { "an empty prompt in a batch", "{\"model\":\"mesh-tiny\",\"prompt\":[\"\"],\"max_tokens\":1}", "prompt", null },
        { "no token ids", "{\"prompt\":[],\"max_tokens\":1}", "prompt", null },
        { "max_tokens that wraps around", "{\"prompt\":\"hello\",\"max_tokens\":2147483647}", "max_tokens", "context_length_exceeded" },
        { "max_completion_tokens that wraps around", "{\"prompt\":\"hello\",\"max_completion_tokens\":2147483646}", "max_completion_tokens", "context_length_exceeded" },
    };

    /// <summary>Each of these once sent the scheduler into a loop of failing steps, or the engine into a 500.</summary>
    [Theory]
    [MemberData(nameof(BadCompletionInputs))]
    public async Task A_completion_the_engine_cannot_serve_gets_a_400_at_once_and_the_engine_keeps_serving(string name, string body, string param, string? code)
    {
        var before = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");
        using var response = await _client.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (string?)error["param"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]), name);
        if (code is not null)
        {
            Assert.Equal(code, (string?)error["code"]);
        }
        var served = await OpenAIClient.PostJsonAsync(_client, "/v1/completions", new JsonObject { ["prompt"] = "still there?", ["max_tokens"] = 2 });
        Assert.Equal(2, (int)served["usage"]!["completion_tokens"]!);
        var after = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");
        Assert.Equal((long)before["statistics"]!["requests_failed"]!, (long)after["statistics"]!["requests_failed"]!);
    }

    [Fact]
    public async Task An_oversized_body_gets_413()
    {
        var body = new string('x', 2 << 20);
        using var response = await _client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["code"]);
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_request_and_frees_its_blocks()
    {
        var before = await OpenAIClient.GetJsonAsync(_client, "/v1/engine/state");
        using (var response = await _client.SendAsync(
            OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat(UniquePrompt(30), 600, stream: true)), HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: ", await reader.ReadLineAsync());
        }
        var state = await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(_client, "/v1/engine/state"),
            s => (int)s["statistics"]!["running"]! == 0 && (int)s["statistics"]!["kv_blocks_used"]! == 0, s => s["statistics"]!.ToJsonString());

        Assert.Equal(0, (int)state["statistics"]!["running"]!);
        Assert.Equal(0, (int)state["statistics"]!["kv_blocks_used"]!);
        Assert.True((long)state["statistics"]!["decode_tokens"]! - (long)before["statistics"]!["decode_tokens"]! < 600);
    }

    [Fact]
    public async Task Models_lists_the_served_model_and_says_its_weights_are_synthetic()
    {
        var models = await OpenAIClient.GetJsonAsync(_client, "/v1/models");
        var card = models["data"]![0]!;
        Assert.Equal("mesh-tiny", (string?)card["id"]);
        Assert.Contains("meaningless", (string?)card["mesh"]!["note"], StringComparison.Ordinal);
        Assert.False((bool)card["mesh"]!["simulated"]!);
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_completion_before_it()
    {
        var free = await OpenAIClient.PostJsonAsync(_client, "/v1/chat/completions", OpenAIClient.Chat("stop test", 20, seed: 3, temperature: 1f));
        var text = (string)free["choices"]![0]!["message"]!["content"]!;
        var stop = text.Substring(text.Length / 2, 3);
        var body = OpenAIClient.Chat("stop test", 20, seed: 3, temperature: 1f);
        body["stop"] = stop;
        var stopped = await OpenAIClient.PostJsonAsync(_client, "/v1/chat/completions", body);

        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], (string?)stopped["choices"]![0]!["message"]!["content"]);
        Assert.Equal("stop", (string?)stopped["choices"]![0]!["finish_reason"]);
    }
}
