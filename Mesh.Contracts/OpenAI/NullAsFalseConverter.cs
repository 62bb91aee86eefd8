using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>
/// Reads a boolean that OpenAI's API documents as "boolean or null": <c>null</c> means the field was not given, so it
/// reads as <c>false</c>. Anything else that is not a boolean stays an error.
/// </summary>
public sealed class NullAsFalseConverter : JsonConverter<bool>
{
    public override bool HandleNull => true;

    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null or JsonTokenType.False => false,
        JsonTokenType.True => true,
        _ => throw new JsonException("Expected a boolean or null."),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}
