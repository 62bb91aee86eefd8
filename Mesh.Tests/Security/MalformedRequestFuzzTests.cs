using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.AppHost;
using Mesh.Contracts.Security;
using Mesh.Tests.AppHost;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Security;

/// <summary>
/// Thousands of generated malformed requests per endpoint, from a fixed seed: truncated JSON, wrong types, extreme numbers,
/// empty and huge prompts, invalid UTF-8, deep nesting, wrong content types and methods. Every answer must be an
/// OpenAI-shaped error (never a 5xx, never a hang), no client mistake may count against an engine or as the server's
/// own failure, and the service must serve normally afterwards.
/// </summary>
[Collection(SharedMesh.Name)]
public sealed class MalformedRequestFuzzTests(MeshAppFixture mesh)
{
    public const int BodiesPerEndpoint = 2000;

    private sealed record Case(string Kind, HttpMethod Method, string ContentType, byte[] Body);

    public static TheoryData<string, string> Endpoints => new()
    {
        { "coordinator", "/v1/chat/completions" },
        { "coordinator", "/v1/completions" },
        { "engine", "/v1/chat/completions" },
        { "engine", "/v1/completions" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public Task Malformed_requests_get_OpenAI_errors_and_change_nothing(string service, string path) => mesh.WithLogsOnFailureAsync(async () =>
    {
        using var client = service == "coordinator" ? new HttpClient { BaseAddress = mesh.App.Endpoint("coordinator") } : await EngineClientAsync();
        client.Timeout = TimeSpan.FromSeconds(60); // a hang fails the test
        var before = await PrometheusScrape.ReadAsync(mesh.Coordinator);
        var random = new Random(20261202 + 31 * service.Length + path.Length); // HashCode.Combine would differ per process
        var failures = new ConcurrentQueue<string>();
        var kinds = new ConcurrentDictionary<string, int>();
        var statuses = new ConcurrentDictionary<int, int>();

        await Parallel.ForEachAsync(Enumerable.Range(0, BodiesPerEndpoint).Select(_ => Generate(random, path)).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (@case, cancellation) =>
            {
                kinds.AddOrUpdate(@case.Kind, 1, (_, n) => n + 1);
                using var request = new HttpRequestMessage(@case.Method, new Uri(path, UriKind.Relative)) { Content = new ByteArrayContent(@case.Body) };
                request.Content.Headers.TryAddWithoutValidation("Content-Type", @case.ContentType);
                using var response = await client.SendAsync(request, cancellation);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var text = await response.Content.ReadAsStringAsync(cancellation);
                if (status >= 500)
                {
                    failures.Enqueue($"{@case.Kind}: {status} {text}");
                }
                else if (status >= 400 && !IsOpenAIError(text))
                {
                    failures.Enqueue($"{@case.Kind}: {status} without an OpenAI error body: '{text}'");
                }
            });

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, e.g.:\n{string.Join("\n", failures.Take(10))}");
        Assert.True(kinds.Count >= 10, $"only {kinds.Count} kinds of malformation were generated");
        TestContext.Current.TestOutputHelper?.WriteLine($"{BodiesPerEndpoint} requests to {service} {path}; statuses: "
            + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));

        var after = await PrometheusScrape.ReadAsync(mesh.Coordinator);
        Assert.Equal(before.Sum("coordinator_internal_error_total"), after.Sum("coordinator_internal_error_total"));
        Assert.Equal(before.Sum("coordinator_engine_unreachable_total"), after.Sum("coordinator_engine_unreachable_total"));
        var served = await OpenAIClient.PostJsonAsync(client, path, path.Contains("chat", StringComparison.Ordinal)
            ? OpenAIClient.Chat("still serving?", 2)
            : new JsonObject { ["prompt"] = "still serving?", ["max_tokens"] = 2 });
        Assert.Equal(2, (int)served["usage"]!["completion_tokens"]!);
    });

    private async Task<HttpClient> EngineClientAsync()
    {
        var engine = mesh.App.Replicas("engine")[0];
        var client = new HttpClient { BaseAddress = engine.Url };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", MeshSecret.EngineApiKey(await mesh.App.ParameterAsync(MeshAppModel.SecretParameter)));
        return client;
    }

    private static bool IsOpenAIError(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("error", out var error)
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private const string Json = "application/json";

    /// <summary>One malformed request. Anything that could be valid asks for at most two tokens, so generation stays short.</summary>
    private static Case Generate(Random random, string path)
    {
        var chat = path.Contains("chat", StringComparison.Ordinal);
        var valid = chat ? OpenAIClient.Chat("fuzz " + random.Next(), 2) : new JsonObject { ["prompt"] = "fuzz " + random.Next(), ["max_tokens"] = 2 };
        var bytes = Encoding.UTF8.GetBytes(valid.ToJsonString());
        switch (random.Next(14))
        {
            case 0:
                return new Case("truncated JSON", HttpMethod.Post, Json, bytes[..random.Next(0, bytes.Length - 1)]);
            case 1:
                var noise = new byte[random.Next(1, 300)];
                random.NextBytes(noise);
                return new Case("random bytes", HttpMethod.Post, Json, noise);
            case 2:
                var broken = (byte[])bytes.Clone();
                broken[random.Next(broken.Length)] = (byte)random.Next(0x80, 0x100); // not UTF-8
                return new Case("invalid UTF-8", HttpMethod.Post, Json, broken);
            case 3:
                var depth = random.Next(64, 5000);
                return new Case("deep nesting", HttpMethod.Post, Json, Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)));
            case 4:
                return new Case("wrong content type", HttpMethod.Post, Pick(random, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/xml"), bytes);
            case 5:
                return new Case("wrong method", Pick(random, HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch), Json, bytes);
            case 6:
                valid[Pick(random, "max_tokens", "temperature", "top_p", "n", "seed", "stream", "stop", "model")] = WrongType(random);
                return Body("wrong type", valid);
            case 7:
                valid[Pick(random, "max_tokens", "max_completion_tokens", "temperature", "top_p", "n")] = JsonNode.Parse(Pick(random,
                    "2147483647", "2147483648", "-2147483648", "9223372036854775807", "1e308", "-1e308", "-1", "0", "1e-320", "3.5"));
                return Body("extreme number", valid);
            case 8:
                SetPrompt(valid, chat, Pick(random, "", " ", new string('x', random.Next(200_000, 1_100_000))));
                return Body("empty or huge prompt", valid);
            case 9:
                if (chat)
                {
                    valid["messages"] = JsonNode.Parse(Pick(random, "[]", "null", "{}", "[null]", "[1]", "[{}]", "[{\"role\":\"user\"}]",
                        "[{\"role\":\"robot\",\"content\":\"x\"}]", "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]", "[{\"role\":\"user\",\"content\":7}]"));
                }
                else
                {
                    valid["prompt"] = JsonNode.Parse(Pick(random, "[]", "null", "{}", "[\"\"]", "[\"a\",\"b\"]", "[-1]", "[1e9]", "[[1,2],[3]]", "7", "[true]"));
                }
                return Body("bad prompt shape", valid);
            case 10:
                valid[Pick(random, "tools", "logprobs", "response_format", "frequency_penalty", "zzz_unknown")] = JsonNode.Parse(Pick(random,
                    "[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "true", "{\"type\":\"json_object\"}", "0.5", "{}"));
                return Body("unsupported field", valid);
            case 11:
                return new Case("not an object", HttpMethod.Post, Json, Encoding.UTF8.GetBytes(Pick(random, "[]", "null", "7", "\"text\"", "true", "")));
            case 12:
                return new Case("trailing data", HttpMethod.Post, Json, [.. bytes, .. Encoding.UTF8.GetBytes(Pick(random, "{}", "x", "]", ",{\"a\":1}"))]);
            default:
                valid["stream_options"] = JsonNode.Parse(Pick(random, "{\"include_usage\":true}", "7", "[]"));
                valid["stream"] = false;
                return Body("stream options without a stream", valid);
        }
    }

    private static Case Body(string kind, JsonObject body) => new(kind, HttpMethod.Post, Json, Encoding.UTF8.GetBytes(body.ToJsonString()));

    private static void SetPrompt(JsonObject body, bool chat, string prompt)
    {
        if (chat)
        {
            body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt });
        }
        else
        {
            body["prompt"] = prompt;
        }
    }

    /// <summary>A value of the wrong type for any of the fields it is put in. Not <c>null</c>: OpenAI's API reads that as "not given".</summary>
    private static JsonNode? WrongType(Random random) => JsonNode.Parse(Pick(random, "\"seven\"", "[]", "{}", "true", "\"\"", "[1,2]"));

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
