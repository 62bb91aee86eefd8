using System.Text.Json;

namespace Mesh.Contracts.OpenAI;

/// <summary>
/// What a Mesh engine can and cannot do with an OpenAI request. An engine answers 400 (<c>unsupported_parameter</c>,
/// naming the field) for anything it would otherwise have to ignore: tools, structured output, log probabilities,
/// penalties, tool messages, or a field it does not know at all. The coordinator asks the same question to send such a
/// request only to backends that take it (a cloud provider), unchanged. Fields that change nothing (<c>store</c>,
/// <c>metadata</c>, defaults such as <c>logprobs: false</c> or a zero penalty, which SDKs often send) are accepted.
/// </summary>
public static class EngineSupport
{
    /// <summary>The 400 a Mesh engine answers to this request, or null when it can serve it as asked.</summary>
    public static ApiError? Check(GenerationRequest request)
    {
        foreach (var (name, value) in request.Extra ?? [])
        {
            if (!ChangesNothing(name, value))
            {
                return Unsupported(name, IsKnownOpenAIField(name)
                    ? $"'{name}' is not supported by the mesh's engines; send it with a tier policy that reaches a backend that supports it."
                    : $"Unrecognized request argument supplied: {name}");
            }
        }
        if (request is ChatCompletionRequest { Messages: { } messages })
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i].Role is "tool" or "function")
                {
                    return Unsupported($"messages[{i}].role", $"'{messages[i].Role}' messages are not supported by the mesh's engines (they have no tools).");
                }
                if (messages[i].Extra is { Count: > 0 } extra)
                {
                    var field = extra.Keys.First();
                    return Unsupported($"messages[{i}].{field}", $"'messages[{i}].{field}' is not supported by the mesh's engines.");
                }
            }
        }
        return null;
    }

    private static ApiError Unsupported(string param, string message) => ApiError.InvalidRequest(message, param, "unsupported_parameter");

    /// <summary>A field whose value asks for nothing an engine would have to do.</summary>
    private static bool ChangesNothing(string name, JsonElement value) => name switch
    {
        "store" or "metadata" or "service_tier" or "parallel_tool_calls" or "prompt_cache_key" or "safety_identifier" => true,
        "logprobs" or "echo" => value.ValueKind is JsonValueKind.False or JsonValueKind.Null,
        "top_logprobs" or "frequency_penalty" or "presence_penalty" => value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.Number && value.GetDouble() == 0),
        "best_of" => value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Number && value.GetDouble() == 1),
        "logit_bias" => value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()),
        "response_format" => value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text"),
        "modalities" => value.ValueKind == JsonValueKind.Null
            || (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.GetString() == "text")),
        "tools" or "functions" => value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0),
        "tool_choice" or "function_call" => value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString() == "none"),
        _ => false,
    };

    private static bool IsKnownOpenAIField(string name) => name is
        "tools" or "tool_choice" or "functions" or "function_call" or "response_format" or "logprobs" or "top_logprobs" or "logit_bias"
        or "frequency_penalty" or "presence_penalty" or "audio" or "modalities" or "prediction" or "reasoning_effort" or "verbosity"
        or "web_search_options" or "suffix" or "echo" or "best_of";
}
