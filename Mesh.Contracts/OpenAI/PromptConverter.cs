using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>
/// Reads a completions <c>prompt</c>: a string, an array of token ids, or either wrapped in a
/// one-element array (the API allows batches; the mesh serves one prompt per request).
/// </summary>
public sealed class PromptConverter : JsonConverter<CompletionPrompt?>
{
    public override CompletionPrompt? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return new CompletionPrompt(reader.GetString(), null);
            case JsonTokenType.StartArray:
                return ReadArray(ref reader);
            default:
                throw new JsonException("prompt must be a string or an array of token ids.");
        }
    }

    private static CompletionPrompt ReadArray(ref Utf8JsonReader reader)
    {
        var ids = new List<int>();
        CompletionPrompt? single = null;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    ids.Add(reader.TryGetInt32(out var id) ? id : throw new JsonException("token ids must be integers."));
                    break;
                case JsonTokenType.String:
                    single = new CompletionPrompt(reader.GetString(), null);
                    break;
                case JsonTokenType.StartArray:
                    single = ReadArray(ref reader);
                    break;
                default:
                    throw new JsonException("prompt must be a string or an array of token ids.");
            }
        }
        if (single is not null)
        {
            return count == 1 ? single : throw new JsonException("only one prompt per request is supported.");
        }
        return new CompletionPrompt(null, [.. ids]);
    }

    public override void Write(Utf8JsonWriter writer, CompletionPrompt? value, JsonSerializerOptions options)
    {
        if (value?.TokenIds is { } ids)
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                writer.WriteNumberValue(id);
            }
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStringValue(value?.Text);
        }
    }
}

/// <summary>A completions prompt: text, or token ids (used by the coordinator to continue a migrated stream).</summary>
public sealed record CompletionPrompt(string? Text, int[]? TokenIds);
