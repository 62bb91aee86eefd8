using System.Buffers;
using System.Text.Json;

namespace Mesh.Dashboard.Otlp.Json;

/// <summary>
/// OTLP/JSON departs from protobuf's JSON mapping in one way that matters: trace and span ids are hex strings, not
/// base64. This copies a payload token by token and rewrites the values of the id fields from hex to base64, so the
/// standard protobuf JSON parser can read the rest.
/// </summary>
internal static class OtlpJsonIdTranscoder
{
    private static readonly System.Buffers.SearchValues<byte> IntegerCharacters = System.Buffers.SearchValues.Create("-0123456789"u8);

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 128 };

    /// <summary>Throws <see cref="JsonException"/> for a payload that is not JSON.</summary>
    public static ReadOnlyMemory<byte> RewriteIds(ReadOnlySequence<byte> utf8Json)
    {
        var output = new ArrayBufferWriter<byte>(checked((int)Math.Min(utf8Json.Length + 64, int.MaxValue)));
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true }))
        {
            var idValueNext = false;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        idValueNext = IsIdField(name);
                        writer.WritePropertyName(name);
                        continue;
                    case JsonTokenType.String:
                        var text = reader.GetString()!;
                        if (idValueNext && TryHexToBytes(text, out var bytes))
                        {
                            writer.WriteBase64StringValue(bytes);
                        }
                        else
                        {
                            writer.WriteStringValue(text);
                        }
                        break;
                    case JsonTokenType.Number:
                        var number = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                        if (IsLongInteger(number))
                        {
                            // The protobuf parser reads bare numbers as doubles, which would round nanosecond
                            // timestamps; as strings they are parsed exactly.
                            writer.WriteStringValue(number);
                        }
                        else
                        {
                            writer.WriteRawValue(number, skipInputValidation: true);
                        }
                        break;
                    case JsonTokenType.True:
                        writer.WriteBooleanValue(true);
                        break;
                    case JsonTokenType.False:
                        writer.WriteBooleanValue(false);
                        break;
                    case JsonTokenType.Null:
                        writer.WriteNullValue();
                        break;
                }
                idValueNext = false;
            }
        }
        return output.WrittenMemory;
    }

    private static bool IsLongInteger(ReadOnlySpan<byte> number) =>
        number.Length > 15 && number.IndexOfAnyExcept(IntegerCharacters) < 0;

    private static bool IsIdField(string name) => name is "traceId" or "spanId" or "parentSpanId" or "trace_id" or "span_id" or "parent_span_id";

    private static bool TryHexToBytes(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 2 != 0)
        {
            return false;
        }
        try
        {
            bytes = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
