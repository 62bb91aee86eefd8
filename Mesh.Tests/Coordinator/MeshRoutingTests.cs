using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Registry;
using Mesh.Contracts.Telemetry;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;
using StackExchange.Redis;

namespace Mesh.Tests.Coordinator;

/// <summary>
/// Routing through real processes: a real redis-server, three local engines and one cloud-tier engine on the
/// tiny model, and two coordinators sharing the Redis.
/// </summary>
public sealed class MeshRoutingTests(MeshRoutingTests.Fixture mesh) : IClassFixture<MeshRoutingTests.Fixture>
{
    public static readonly string[] Locals = ["engine-locala", "engine-localb", "engine-localc"];

    public sealed class Fixture : TestAppFixture
    {
        public HttpClient A => App.Client("coordinator-a");

        public HttpClient B => App.Client("coordinator-b");

        public ConnectionMultiplexer Redis { get; private set; } = null!;

        public string Logs => App.Logs("coordinator-a");

        protected override void Define(IDistributedApplicationBuilder builder)
        {
            var redis = builder.AddLocalRedis("redis");
            foreach (var id in Locals)
            {
                // Restarted by the orchestrator when a test kills it, under the same id and a new epoch.
                builder.AddMeshEngine(id, redis);
            }
            builder.AddMeshEngine("engine-cloudaa", redis, "cloud");
            builder.AddMeshCoordinator("coordinator-a", redis);
            builder.AddMeshCoordinator("coordinator-b", redis);
        }

        protected override async ValueTask OnStartedAsync()
        {
            Redis = await App.RedisAsync();
            await WaitForEnginesAsync(A, () => App.Logs("coordinator-a"));
            await WaitForEnginesAsync(B, () => App.Logs("coordinator-b"));
        }

        /// <summary>Waits until the coordinator routes to every engine of the model, and to nothing else.</summary>
        public static Task WaitForEnginesAsync(HttpClient coordinator, Func<string> logs, params string[] extra) =>
            MeshTestModel.WaitForEnginesAsync(coordinator, logs, [.. Locals, "engine-cloudaa", .. extra]);
    }

    private static string Conversation() =>
        $"You are assistant {Guid.NewGuid():N}. Answer questions about meshes, caches and routing, at length and with care, citing every source you used.";

    private static JsonObject Ask(string system, string question, int maxTokens = 4, bool stream = false) => new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = system },
            new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = maxTokens,
        ["seed"] = 1,
        ["stream"] = stream,
    };

    private async Task<(string Engine, int Cached, JsonObject Body)> SendAsync(HttpClient coordinator, JsonObject body, params (string, string)[] headers)
    {
        using var response = await coordinator.SendAsync(OpenAIClient.Post("/v1/chat/completions", body, headers));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}\n{mesh.Logs}");
        var json = JsonNode.Parse(text)!.AsObject();
        return (response.Headers.GetValues(MeshHeaders.Engine).Single(), (int)json["usage"]!["prompt_tokens_details"]!["cached_tokens"]!, json);
    }

    [Fact]
    public async Task A_repeated_prefix_goes_to_the_engine_that_served_it_first()
    {
        var system = Conversation();
        var (first, firstCached, _) = await SendAsync(mesh.A, Ask(system, "What is a prefix cache?"));
        var followUps = new List<(string Engine, int Cached)>();
        for (var i = 0; i < 4; i++)
        {
            var (engine, cached, _) = await SendAsync(mesh.A, Ask(system, $"And question {i}?"));
            followUps.Add((engine, cached));
        }

        Assert.Contains(first, Locals);
        Assert.Equal(0, firstCached);
        Assert.All(followUps, f => Assert.Equal(first, f.Engine));
        Assert.All(followUps, f => Assert.True(f.Cached >= 32, $"only {f.Cached} cached tokens"));
    }

    [Fact]
    public async Task Two_coordinators_sharing_one_Redis_send_a_repeated_prefix_to_the_same_engine()
    {
        var system = Conversation();
        var (first, _, _) = await SendAsync(mesh.A, Ask(system, "Asked through coordinator A."));
        var (second, cached, _) = await SendAsync(mesh.B, Ask(system, "Asked through coordinator B."));

        Assert.Equal(first, second);
        Assert.True(cached >= 32, $"only {cached} cached tokens");
    }

    [Fact]
    public async Task Each_tier_policy_does_what_it_promises()
    {
        var (cloud, _, cloudBody) = await SendAsync(mesh.A, Ask(Conversation(), "cloud?"), (MeshHeaders.TierPolicy, "CloudOnly"));
        var (local, _, _) = await SendAsync(mesh.A, Ask(Conversation(), "local?"), (MeshHeaders.TierPolicy, "LocalOnly"));
        var (first, _, _) = await SendAsync(mesh.A, Ask(Conversation(), "local first?"), (MeshHeaders.TierPolicy, "LocalFirstWithCloudFallback"));

        Assert.Equal("engine-cloudaa", cloud);
        Assert.Equal("CloudOnly", (string?)cloudBody["mesh"]!["tier_policy"]);
        Assert.Contains(local, Locals);
        Assert.Contains(first, Locals);
    }

    [Fact]
    public async Task A_forged_heartbeat_is_counted_and_ignored()
    {
        var before = (await PrometheusScrape.ReadAsync(mesh.A)).Sum("coordinator_unknown_sender_total");
        var forged = new EngineHeartbeat
        {
            Id = "engine-forgedxx", Epoch = 1, Url = "http://127.0.0.1:9", Tier = "local", Model = "mesh-tiny",
            KvCapacityBlocks = 64, BlockSize = 16, ContextWindow = 1024, Load = new EngineLoad { MaxRunning = 4 },
        };
        var known = JsonNode.Parse((await mesh.Redis.GetDatabase().StringGetAsync(RedisKeys.Engine(Locals[0]))).ToString())!;
        var oldEpoch = forged with { Id = Locals[0], Epoch = (long)known["epoch"]! - 1 };
        var channel = RedisChannel.Literal(RedisKeys.HeartbeatChannel);
        await mesh.Redis.GetSubscriber().PublishAsync(channel, JsonSerializer.Serialize(forged, RegistryJsonContext.Default.EngineHeartbeat));
        await mesh.Redis.GetSubscriber().PublishAsync(channel, JsonSerializer.Serialize(oldEpoch, RegistryJsonContext.Default.EngineHeartbeat));

        var after = await Eventually.MatchAsync(async () => (await PrometheusScrape.ReadAsync(mesh.A)).Sum("coordinator_unknown_sender_total"),
            count => count >= before + 2, count => $"{count - before} unknown senders counted");
        var engines = await OpenAIClient.GetJsonAsync(mesh.A, "/v1/mesh/engines");

        Assert.Equal(before + 2, after);
        Assert.DoesNotContain(engines["engines"]!.AsArray(), e => (string?)e!["id"] == "engine-forgedxx");
        Assert.Equal((long)known["epoch"]!, (long)engines["engines"]!.AsArray().Single(e => (string?)e!["id"] == Locals[0])!["epoch"]!);
    }

    [Fact]
    public async Task Bad_input_is_counted_answered_with_an_OpenAI_error_and_changes_no_state()
    {
        var before = await PrometheusScrape.ReadAsync(mesh.A);
        var entriesBefore = await PrefixEntriesAsync();
        string[] bodies = ["{not json", "{\"messages\":[{\"role\":\"pirate\",\"content\":\"arr\"}]}", "{\"messages\":[]}", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":-1}"];
        foreach (var body in bodies)
        {
            using var response = await mesh.A.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request_error", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]);
        }
        string[] completions = ["{\"prompt\":\"\",\"max_tokens\":1}", "{\"prompt\":[\"\"],\"max_tokens\":1}", "{\"prompt\":\"hi\",\"max_tokens\":2147483647}"];
        foreach (var body in completions)
        {
            using var response = await mesh.A.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_request_error", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]);
        }
        using (var plainText = await mesh.A.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(OpenAIClient.Chat("hi", 2).ToJsonString())))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainText.StatusCode); // a cross-site form or text/plain post runs nothing
            Assert.Equal("unsupported_media_type", (string?)JsonNode.Parse(await plainText.Content.ReadAsStringAsync())!["error"]!["code"]);
        }
        using (var unknownPolicy = await mesh.A.SendAsync(OpenAIClient.Post("/v1/chat/completions", Ask("s", "q"), (MeshHeaders.Policy, "fastest"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownPolicy.StatusCode);
        }
        using (var unknownModel = await mesh.A.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2, model: "gpt-17"))))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        }
        var after = await PrometheusScrape.ReadAsync(mesh.A);

        Assert.Equal(before.Sum("coordinator_invalid_message_total") + bodies.Length + completions.Length + 3, after.Sum("coordinator_invalid_message_total"));
        Assert.Equal(before.Sum("coordinator_engine_unreachable_total"), after.Sum("coordinator_engine_unreachable_total"));
        Assert.Equal(before.Sum("mesh_routing_decisions_total"), after.Sum("mesh_routing_decisions_total"));
        Assert.Equal(entriesBefore, await PrefixEntriesAsync());
    }

    [Fact]
    public async Task The_metrics_scrape_shows_every_name_of_the_design()
    {
        await SendAsync(mesh.A, Ask(Conversation(), "warm up the histograms"));
        var scrape = await PrometheusScrape.ReadAsync(mesh.A);
        Assert.All(MetricNames.PrometheusNames, name =>
            Assert.True(scrape.Has(name) || scrape.Has(name + "_bucket"), $"{name} is missing from /metrics"));
        foreach (var figure in new[] { "mesh_latency_seconds", "mesh_time_to_first_token_seconds", "mesh_tokens_streamed", "mesh_tokens_per_second", "mesh_total_time_seconds" })
        {
            Assert.True(scrape.Has(figure + "_bucket"), $"{figure} is missing:\n{scrape.Text}");
        }
        Assert.DoesNotMatch("(?m)^(routing_cache_hit_total|routing_cache_miss_total|coordinator_engine_unreachable_total) ", scrape.Text); // no label-less series
        Assert.Contains("routing_cache_miss_total{", scrape.Text, StringComparison.Ordinal);
        Assert.Matches("routing_cache_(hit|miss)_total\\{[^}]*engine=\"engine-[a-z]+\"[^}]*policy=\"prefix_aware\"", scrape.Text);
    }

    [Fact]
    public async Task A_new_epoch_of_an_engine_drops_its_metadata_at_once()
    {
        var system = Conversation();
        var (engine, _, _) = await SendAsync(mesh.A, Ask(system, "remember me"));
        var epoch = await EpochOfAsync(engine);
        Assert.True(await mesh.Redis.GetDatabase().KeyExistsAsync(RedisKeys.PrefixIndex("mesh-tiny", engine, epoch)));

        using var reset = await mesh.App.Client(engine).PostAsync(new Uri("/v1/engine/cache/reset", UriKind.Relative), null);
        reset.EnsureSuccessStatusCode();
        await Eventually.MatchAsync(() => EpochOfAsync(engine), e => e != epoch, e => $"epoch still {e}");
        Assert.False(await mesh.Redis.GetDatabase().KeyExistsAsync(RedisKeys.PrefixIndex("mesh-tiny", engine, epoch)));
        var (_, cached, _) = await SendAsync(mesh.A, Ask(system, "remember me"), (MeshHeaders.TierPolicy, "LocalOnly"));
        Assert.Equal(0, cached);
    }

    [Fact]
    public async Task When_an_engine_silently_loses_its_cache_the_stale_prediction_is_detected_and_corrected()
    {
        var system = Conversation();
        var (engine, _, _) = await SendAsync(mesh.A, Ask(system, "first"));
        using (var flush = await mesh.App.Client(engine).PostAsync(new Uri("/v1/engine/cache/reset?epoch=keep", UriKind.Relative), null))
        {
            flush.EnsureSuccessStatusCode();
        }
        var before = (await PrometheusScrape.ReadAsync(mesh.A)).Sum("routing_stale_detected_total", $"engine=\"{engine}\"");

        var (again, cached, _) = await SendAsync(mesh.A, Ask(system, "second"));
        var after = (await PrometheusScrape.ReadAsync(mesh.A)).Sum("routing_stale_detected_total", $"engine=\"{engine}\"");
        var (third, thirdCached, _) = await SendAsync(mesh.A, Ask(system, "third"));

        Assert.Equal(engine, again);
        Assert.Equal(0, cached);
        Assert.Equal(before + 1, after);
        Assert.Equal(engine, third);
        Assert.True(thirdCached > 0);
    }

    [Fact]
    public async Task An_unreachable_engine_leads_to_the_next_one_and_the_counters_move()
    {
        var ghost = "engine-ghostaaa";
        var heartbeat = new EngineHeartbeat
        {
            Id = ghost, Epoch = 1, Url = $"http://127.0.0.1:{FreePort.Next()}", Tier = "local", Model = "mesh-tiny",
            KvCapacityBlocks = 64, BlockSize = 16, ContextWindow = 1024, Load = new EngineLoad { MaxRunning = 4, MaxWaiting = 4 },
        };
        await mesh.Redis.GetDatabase().StringSetAsync(RedisKeys.Engine(ghost), JsonSerializer.Serialize(heartbeat, RegistryJsonContext.Default.EngineHeartbeat), TimeSpan.FromSeconds(30));
        try
        {
            await Fixture.WaitForEnginesAsync(mesh.A, () => mesh.Logs, ghost);
            var before = await PrometheusScrape.ReadAsync(mesh.A);
            var served = new List<string>();
            for (var i = 0; i < 5; i++)
            {
                var (engine, _, _) = await SendAsync(mesh.A, Ask(Conversation(), "round and round"), (MeshHeaders.Policy, "round_robin"), (MeshHeaders.TierPolicy, "LocalOnly"));
                served.Add(engine);
            }
            var after = await PrometheusScrape.ReadAsync(mesh.A);

            Assert.DoesNotContain(ghost, served);
            Assert.True(after.Sum("coordinator_engine_unreachable_total", $"engine=\"{ghost}\"") > before.Sum("coordinator_engine_unreachable_total", $"engine=\"{ghost}\""));
        }
        finally
        {
            await mesh.Redis.GetDatabase().KeyDeleteAsync(RedisKeys.Engine(ghost));
            await Fixture.WaitForEnginesAsync(mesh.A, () => mesh.Logs);
        }
    }

    [Fact]
    public async Task An_engine_killed_mid_stream_still_gives_the_client_the_whole_stream()
    {
        var system = Conversation();
        var body = Ask(system, "tell me everything", maxTokens: 900, stream: true);
        body["temperature"] = 1.0;
        body["seed"] = 77;
        var reference = await OpenAIClient.StreamAsync(mesh.A, "/v1/chat/completions", body);
        Assert.True(reference.Done);

        // Every engine's process, known before the stream starts, so the kill lands within a moment of its first token.
        var services = Locals.ToDictionary(id => id, id => ProcessTree.Service(mesh.App.Instance(id).ProcessId!.Value));
        using var response = await mesh.A.SendAsync(OpenAIClient.Post("/v1/chat/completions", body, (MeshHeaders.TierPolicy, "LocalOnly")), HttpCompletionOption.ResponseHeadersRead);
        var victim = response.Headers.GetValues(MeshHeaders.Engine).Single();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string> { (await reader.ReadLineAsync())! };
        System.Diagnostics.Process.GetProcessById(services[victim]).Kill();
        var restarts = mesh.App.Instance(victim).Restarts;
        await mesh.App.KillAsync(victim);
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }
        try
        {
            var events = lines.Where(l => l.StartsWith("data: {", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!).ToList();
            var text = string.Concat(events.Select(e => (string?)e["choices"]?.AsArray().FirstOrDefault()?["delta"]?["content"] ?? string.Empty));

            Assert.Equal("data: [DONE]", lines.Last(l => l.Length > 0));
            Assert.DoesNotContain(events, e => e["error"] is not null);
            Assert.Equal(reference.Text, text);
            var mesh_ = events.Last(e => e["mesh"] is not null)["mesh"]!;
            Assert.True((int)mesh_["migrations"]! >= 1, mesh_.ToJsonString());
            Assert.Equal(900, (int)mesh_["tokens_streamed"]!);
        }
        finally
        {
            await mesh.App.WaitForRestartAsync(victim, restarts);
            await Fixture.WaitForEnginesAsync(mesh.A, () => mesh.Logs);
        }
    }

    [Fact]
    public async Task A_client_that_disconnects_from_the_coordinator_cancels_the_engines_request()
    {
        using var response = await mesh.A.SendAsync(
            OpenAIClient.Post("/v1/chat/completions", Ask(Conversation(), "a long answer please", maxTokens: 700, stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var engine = mesh.App.Client(response.Headers.GetValues(MeshHeaders.Engine).Single());
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
        {
            Assert.StartsWith("data: ", await reader.ReadLineAsync());
        }
        response.Dispose();

        var state = await Eventually.MatchAsync(() => OpenAIClient.GetJsonAsync(engine, "/v1/engine/state"),
            s => (int)s["statistics"]!["running"]! == 0, s => s["statistics"]!.ToJsonString());
        Assert.Equal(0, (int)state["statistics"]!["kv_blocks_used"]!);
    }

    private async Task<long> EpochOfAsync(string engine)
    {
        var state = await OpenAIClient.GetJsonAsync(mesh.A, "/v1/mesh/engines");
        return (long)state["engines"]!.AsArray().Single(e => (string?)e!["id"] == engine)!["epoch"]!;
    }

    /// <summary>Every prefix-index entry in Redis, read there (the coordinator's own view says -1 when Redis is slow to answer).</summary>
    private async Task<long> PrefixEntriesAsync()
    {
        var total = 0L;
        foreach (var server in mesh.Redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: RedisKeys.PrefixIndexPattern))
            {
                total += await mesh.Redis.GetDatabase().SortedSetLengthAsync(key);
            }
        }
        return total;
    }
}
