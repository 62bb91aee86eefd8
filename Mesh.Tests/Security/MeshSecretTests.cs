using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.AppHost;
using Mesh.Contracts.Registry;
using Mesh.Contracts.Security;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;
using StackExchange.Redis;

namespace Mesh.Tests.Security;

/// <summary>
/// Whoever can write to Redis cannot steal traffic: heartbeats are signed with the mesh secret the AppHost generates, and
/// the engines answer only callers with the key derived from it. Every forgery here is a real write to the real Redis.
/// </summary>
public sealed class MeshSecretTests(MeshSecretTests.Fixture mesh) : IClassFixture<MeshSecretTests.Fixture>
{
    public sealed class Fixture : MeshAppFixture
    {
        protected override string[] Arguments => TwoEngines();

        public IConnectionMultiplexer Redis { get; private set; } = null!;

        public string Secret { get; private set; } = null!;

        protected override async ValueTask OnStartedAsync()
        {
            Secret = await App.ParameterAsync(MeshAppModel.SecretParameter);
            Redis = await App.RedisAsync();
        }

    }

    /// <summary>A port that counts every connection made to it: traffic a forged heartbeat would have stolen.</summary>
    private sealed class Trap : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _connections;

        public Trap()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Connections => Volatile.Read(ref _connections);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _connections);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
            }
        }

        public void Dispose() => _listener.Stop();
    }

    private static EngineHeartbeat Heartbeat(string id, long epoch, string url, string model = "mesh-tiny", long? sentAt = null) => new()
    {
        Id = id, Epoch = epoch, Url = url, Tier = "local", Model = model, KvCapacityBlocks = 64, BlockSize = 16, ContextWindow = 1024,
        SentAtUnixMs = sentAt ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Load = new EngineLoad { MaxRunning = 4, MaxWaiting = 8 },
    };

    private static string Json(EngineHeartbeat heartbeat) => JsonSerializer.Serialize(heartbeat, RegistryJsonContext.Default.EngineHeartbeat);

    private async Task ForgeAsync(string value, string id)
    {
        var db = mesh.Redis.GetDatabase();
        await db.StringSetAsync(RedisKeys.Engine(id), value, TimeSpan.FromSeconds(30));
        await db.PublishAsync(RedisChannel.Literal(RedisKeys.HeartbeatChannel), value);
    }

    private Task<double> UnknownSendersAsync() => PrometheusScrape.ReadAsync(mesh.Coordinator).ContinueWith(t => t.Result.Sum("coordinator_unknown_sender_total"), TaskScheduler.Default);

    private async Task<Dictionary<string, (long Epoch, string Url)>> RoutableAsync()
    {
        var state = await OpenAIClient.GetJsonAsync(mesh.Coordinator, "/v1/mesh/engines");
        return state["engines"]!.AsArray().Where(e => (bool)e!["routable"]!)
            .ToDictionary(e => (string)e!["id"]!, e => ((long)e!["epoch"]!, (string)e["url"]!));
    }

    [Fact]
    public Task An_unsigned_or_wrongly_signed_heartbeat_registers_nothing_and_takes_nothing_over() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var trap = new Trap();
        var before = await RoutableAsync();
        var victim = before.Keys.First();
        var unknownBefore = await UnknownSendersAsync();

        await ForgeAsync(Json(Heartbeat("engine-forgedxx", 1, trap.Url)), "engine-forgedxx");                        // a new engine
        await ForgeAsync(Json(Heartbeat(victim, before[victim].Epoch + 1000, trap.Url)), victim);                     // a takeover
        await ForgeAsync(new HeartbeatSigner("not the mesh secret").Sign(Json(Heartbeat(victim, before[victim].Epoch + 2000, trap.Url))), victim);

        await Eventually.MatchAsync(UnknownSendersAsync, count => count >= unknownBefore + 3, count => $"{count - unknownBefore} unknown senders counted");
        for (var i = 0; i < 10; i++)
        {
            await OpenAIClient.PostJsonAsync(mesh.Coordinator, "/v1/chat/completions", OpenAIClient.Chat($"question {i} {Guid.NewGuid():N}", 2));
        }
        var after = await RoutableAsync();

        Assert.Equal(0, trap.Connections);
        Assert.DoesNotContain("engine-forgedxx", after.Keys);
        Assert.Equal(before[victim], after[victim]); // same epoch, same URL: still the real engine
    });

    [Fact]
    public Task A_heartbeat_signed_with_the_mesh_secret_is_believed_only_while_it_is_recent() => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var trap = new Trap();
        var signer = new HeartbeatSigner(mesh.Secret);
        var unknownBefore = await UnknownSendersAsync();

        // A validly signed heartbeat from five minutes ago (a replay) is not believed...
        await ForgeAsync(signer.Sign(Json(Heartbeat("engine-replayed", 1, trap.Url, "other-model", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds()))), "engine-replayed");
        await Eventually.MatchAsync(UnknownSendersAsync, count => count > unknownBefore, count => "the replay was not counted");
        Assert.DoesNotContain("engine-replayed", (await RoutableAsync()).Keys);

        // ...while a fresh one is: the check accepts what the secret signs (the model is one no request asks for).
        await ForgeAsync(signer.Sign(Json(Heartbeat("engine-signedok", 1, trap.Url, "other-model"))), "engine-signedok");
        await Eventually.MatchAsync(RoutableAsync, engines => engines.ContainsKey("engine-signedok"), engines => string.Join(", ", engines.Keys));
        await mesh.Redis.GetDatabase().KeyDeleteAsync([RedisKeys.Engine("engine-signedok"), RedisKeys.Engine("engine-replayed")]);
        await Eventually.MatchAsync(RoutableAsync, engines => !engines.ContainsKey("engine-signedok"), engines => string.Join(", ", engines.Keys));
    });

    [Fact]
    public Task The_engines_answer_only_callers_with_the_mesh_key() => mesh.WithLogsOnFailureAsync(async () =>
    {
        var engine = mesh.App.Replicas("engine")[0];
        using var anonymous = new HttpClient { BaseAddress = engine.Url };
        using var keyed = new HttpClient { BaseAddress = engine.Url };
        keyed.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MeshSecret.EngineApiKey(mesh.Secret));
        var epoch = (long)(await OpenAIClient.GetJsonAsync(keyed, "/v1/engine/state"))["epoch"]!;

        using (var completion = await anonymous.SendAsync(OpenAIClient.Post("/v1/chat/completions", OpenAIClient.Chat("hi", 2))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, completion.StatusCode);
            Assert.Equal("Bearer", completion.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("invalid_api_key", (string?)System.Text.Json.Nodes.JsonNode.Parse(await completion.Content.ReadAsStringAsync())!["error"]!["code"]);
        }
        using (var state = await anonymous.GetAsync(new Uri("/v1/engine/state", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, state.StatusCode);
        }
        using (var reset = await anonymous.PostAsync(new Uri("/v1/engine/cache/reset?epoch=keep", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, reset.StatusCode);
        }
        using (var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        var served = await OpenAIClient.PostJsonAsync(keyed, "/v1/chat/completions", OpenAIClient.Chat("hi", 2));
        Assert.Equal(2, (int)served["usage"]!["completion_tokens"]!);
        Assert.Equal(epoch, (long)(await OpenAIClient.GetJsonAsync(keyed, "/v1/engine/state"))["epoch"]!);
    });
}
