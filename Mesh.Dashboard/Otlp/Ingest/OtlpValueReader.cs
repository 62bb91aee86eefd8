using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Collections;
using Mesh.Dashboard.Otlp.Protos.Common;
using Mesh.Dashboard.Storage;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>
/// Turns OTLP attribute values into the text the store keeps: scalars as invariant text, arrays and maps as JSON, cut at
/// <see cref="TelemetryLimits.MaxAttributeLength"/>; repeated short strings are shared through the pool.
/// </summary>
internal sealed class OtlpValueReader(TelemetryStore store, OtlpStringPool pool)
{
    private readonly TelemetryLimits _limits = store.Limits;

    /// <summary>A name (span, scope, event) as the store keeps it.</summary>
    public string Name(string name) => pool.Share(name);

    public KeyValuePair<string, string>[] ReadAttributes(RepeatedField<KeyValue> attributes, bool sortByKey = false)
    {
        if (attributes.Count == 0)
        {
            return [];
        }
        var count = Math.Min(attributes.Count, _limits.MaxAttributeCount);
        var result = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            var attribute = attributes[i];
            result[i] = new KeyValuePair<string, string>(pool.Share(attribute.Key), pool.Share(Format(attribute.Value)));
        }
        if (sortByKey && result.Length > 1)
        {
            Array.Sort(result, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }
        return result;
    }

    public string Format(AnyValue? value)
    {
        var maxLength = _limits.MaxAttributeLength;
        var text = value?.ValueCase switch
        {
            null or AnyValue.ValueOneofCase.None => string.Empty,
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
            _ => ToJson(value),
        };
        return text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), "…");
    }

    private static string ToJson(AnyValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                writer.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                writer.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    writer.WritePropertyName(pair.Key);
                    Write(writer, pair.Value);
                }
                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
