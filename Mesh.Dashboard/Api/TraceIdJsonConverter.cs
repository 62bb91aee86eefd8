using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.Api;

/// <summary>Writes a trace id as its 32 hex digits.</summary>
internal sealed class TraceIdJsonConverter : JsonConverter<TraceId>
{
    public override TraceId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TraceId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("A trace id is 32 hex digits.");

    public override void Write(Utf8JsonWriter writer, TraceId value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
