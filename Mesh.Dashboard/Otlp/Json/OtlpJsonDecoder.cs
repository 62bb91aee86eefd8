using System.Buffers;
using System.Text;
using Google.Protobuf;

namespace Mesh.Dashboard.Otlp.Json;

/// <summary>
/// Reads an OTLP/JSON payload into the protobuf request message: lowerCamelCase (or original) field names, enums as
/// numbers or names, 64-bit integers as numbers or strings, ids as hex. Unknown fields are skipped, as the
/// specification asks of receivers.
/// </summary>
internal static class OtlpJsonDecoder
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true).WithRecursionLimit(64));

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>Throws <see cref="System.Text.Json.JsonException"/>, <see cref="InvalidProtocolBufferException"/> or <see cref="InvalidJsonException"/> for a bad payload.</summary>
    public static T Decode<T>(ReadOnlySequence<byte> utf8Json) where T : IMessage, new()
    {
        var rewritten = OtlpJsonIdTranscoder.RewriteIds(utf8Json);
        return Parser.Parse<T>(Encoding.UTF8.GetString(rewritten.Span));
    }

    public static string Encode(IMessage message) => Formatter.Format(message);
}
