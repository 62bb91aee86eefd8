using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>Reads message content given as a string or as an array of <c>{"type":"text","text":...}</c> parts.</summary>
public sealed class MessageContentConverter : JsonConverter<string?>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartArray:
                var text = new StringBuilder();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    text.Append(ReadPart(ref reader));
                }
                return text.ToString();
            default:
                throw new JsonException("content must be a string or an array of text parts.");
        }
    }

    private static string ReadPart(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("each content part must be an object.");
        }
        string? type = null;
        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "type":
                    type = reader.GetString();
                    break;
                case "text":
                    text = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (type != "text")
        {
            throw new JsonException($"content part type '{type}' is not supported; only 'text' parts are.");
        }
        return text ?? throw new JsonException("a text content part needs 'text'.");
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
