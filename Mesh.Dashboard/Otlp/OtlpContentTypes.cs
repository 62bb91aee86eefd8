using Microsoft.Net.Http.Headers;

namespace Mesh.Dashboard.Otlp;

/// <summary>The media types of OTLP/HTTP and how a request's content type maps to an encoding.</summary>
internal static class OtlpContentTypes
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    /// <summary>Reads the request's media type, ignoring parameters such as <c>charset</c>.</summary>
    public static OtlpEncoding Detect(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return OtlpEncoding.Unsupported;
        }
        var type = mediaType.MediaType.Value;
        if (string.Equals(type, Protobuf, StringComparison.OrdinalIgnoreCase) || string.Equals(type, "application/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return OtlpEncoding.Protobuf;
        }
        return string.Equals(type, Json, StringComparison.OrdinalIgnoreCase) ? OtlpEncoding.Json : OtlpEncoding.Unsupported;
    }
}
