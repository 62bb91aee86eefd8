using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Mesh.Tests.Infrastructure;

/// <summary>Plain HTTP calls to an OpenAI-compatible endpoint, with the streamed events parsed.</summary>
public static class OpenAIClient
{
    public static JsonObject Chat(string content, int maxTokens, long? seed = 7, bool stream = false, float? temperature = null, string? model = null)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
            ["max_tokens"] = maxTokens,
            ["stream"] = stream,
        };
        if (seed is not null) body["seed"] = seed;
        if (temperature is not null) body["temperature"] = temperature;
        if (model is not null) body["model"] = model;
        if (stream) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return body;
    }

    public static HttpRequestMessage Post(string path, JsonNode body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    public static async Task<JsonObject> PostJsonAsync(HttpClient client, string path, JsonNode body, CancellationToken cancellationToken = default)
    {
        using var response = await client.SendAsync(Post(path, body), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Sends a streaming request and collects every event until <c>[DONE]</c>.</summary>
    public static async Task<StreamResult> StreamAsync(HttpClient client, string path, JsonNode body, CancellationToken cancellationToken = default, params (string Name, string Value)[] headers)
    {
        using var response = await client.SendAsync(Post(path, body, headers), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var result = new StreamResult(response);
        if (!response.IsSuccessStatusCode)
        {
            result.ErrorBody = await response.Content.ReadAsStringAsync(cancellationToken);
            return result;
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }
            var data = line["data: ".Length..];
            if (data == "[DONE]")
            {
                result.Done = true;
                break;
            }
            result.Events.Add(JsonNode.Parse(data)!.AsObject());
        }
        return result;
    }

    public static async Task<JsonObject> GetJsonAsync(HttpClient client, string path) =>
        (await client.GetFromJsonAsync<JsonObject>(new Uri(path, UriKind.Relative)))!;
}

public sealed class StreamResult(HttpResponseMessage response)
{
    public int StatusCode { get; } = (int)response.StatusCode;

    public Dictionary<string, string> Headers { get; } = response.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));

    public List<JsonObject> Events { get; } = [];

    public bool Done { get; set; }

    public string? ErrorBody { get; set; }

    public string Text => string.Concat(Events.Select(e =>
        e["choices"]?.AsArray().FirstOrDefault() is { } choice
            ? (string?)choice["delta"]?["content"] ?? (string?)choice["text"] ?? string.Empty
            : string.Empty));

    public List<int> TokenIds => [.. Events.SelectMany(e => e["mesh"]?["token_ids"]?.AsArray().Select(t => (int)t!) ?? [])];

    public JsonObject? Usage => Events.LastOrDefault(e => e["usage"] is JsonObject)?["usage"]?.AsObject();

    /// <summary>The coordinator's <c>mesh</c> object (engine, reason, cached tokens, MoFA's figures), sent with the last chunk.</summary>
    public JsonObject? Mesh => Events.LastOrDefault(e => e["mesh"] is JsonObject)?["mesh"]?.AsObject();

    public string? FinishReason => Events
        .Select(e => (string?)e["choices"]?.AsArray().FirstOrDefault()?["finish_reason"])
        .LastOrDefault(reason => reason is not null);

    public JsonObject? Error => Events.FirstOrDefault(e => e["error"] is not null)?["error"]?.AsObject();
}
