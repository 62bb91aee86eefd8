using Google.Protobuf;
using Mesh.Dashboard.Otlp.Json;

namespace Mesh.Dashboard.Otlp.Http;

/// <summary>An OTLP/HTTP answer: a protobuf message encoded as the request was (binary protobuf or JSON).</summary>
internal sealed class OtlpHttpResult(int statusCode, OtlpEncoding encoding, IMessage message) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (encoding == OtlpEncoding.Json)
        {
            response.ContentType = OtlpContentTypes.Json;
            await response.WriteAsync(OtlpJsonDecoder.Encode(message), httpContext.RequestAborted);
            return;
        }
        response.ContentType = OtlpContentTypes.Protobuf;
        var bytes = message.ToByteArray();
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }
}
