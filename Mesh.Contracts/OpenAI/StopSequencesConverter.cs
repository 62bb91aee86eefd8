using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>Reads <c>stop</c> given as a string or as an array of strings.</summary>
public sealed class StopSequencesConverter : JsonConverter<string[]?>
{
    public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var stops = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    stops.Add(reader.TokenType == JsonTokenType.String
                        ? reader.GetString()!
                        : throw new JsonException("stop must be a string or an array of strings."));
                }
                return [.. stops];
            default:
                throw new JsonException("stop must be a string or an array of strings.");
        }
    }

    public override void Write(Utf8JsonWriter writer, string[]? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }
        writer.WriteStartArray();
        foreach (var stop in value)
        {
            writer.WriteStringValue(stop);
        }
        writer.WriteEndArray();
    }
}
