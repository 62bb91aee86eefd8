using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mesh.Contracts.OpenAI;
using Microsoft.AspNetCore.Http;

namespace Mesh.Contracts.Http;

/// <summary>
/// Reads a JSON request body with a size limit. A body that does not say it is JSON is a 415: a browser page on another
/// site can send a plain-text or form body without asking first, while a JSON body needs a CORS preflight (granted only
/// to configured origins). A body over the limit is a 413 (checked against
/// Content-Length first, so nothing is read), malformed JSON, a wrong field type or anything after the object a 400
/// that says where. A body the server cannot read (malformed chunking) is a 400 and one that trickles in too slowly a
/// 408: the client's mistakes, answered as such and never counted as the server's.
/// </summary>
public static class RequestBodyReader
{
    public static async Task<(T? Value, ApiError? Error)> ReadAsync<T>(
        HttpRequest request, long limitBytes, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, new ApiError(StatusCodes.Status415UnsupportedMediaType, new OpenAIError(
                $"Unsupported Content-Type '{request.ContentType}'. Send the body as JSON with 'Content-Type: application/json'.",
                "invalid_request_error", null, "unsupported_media_type")));
        }
        if (request.ContentLength > limitBytes)
        {
            return (null, ApiError.PayloadTooLarge(limitBytes));
        }
        var reader = request.BodyReader;
        ReadResult result;
        while (true)
        {
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (BadHttpRequestException ex)
            {
                return (null, ex.StatusCode switch
                {
                    StatusCodes.Status408RequestTimeout => new ApiError(StatusCodes.Status408RequestTimeout, new OpenAIError(
                        "The request body arrived too slowly.", "invalid_request_error", null, "request_timeout")),
                    StatusCodes.Status413PayloadTooLarge => ApiError.PayloadTooLarge(limitBytes),
                    _ => ApiError.InvalidRequest($"The request body could not be read: {ex.Message}", code: "invalid_body"),
                });
            }
            if (result.Buffer.Length > limitBytes)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return (null, ApiError.PayloadTooLarge(limitBytes));
            }
            if (result.IsCompleted || result.IsCanceled)
            {
                break;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
        try
        {
            return Parse(result.Buffer, typeInfo);
        }
        finally
        {
            reader.AdvanceTo(result.Buffer.End);
        }
    }

    private static (T? Value, ApiError? Error) Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> typeInfo) where T : class
    {
        if (body.IsEmpty)
        {
            return (null, ApiError.InvalidRequest("The request body is empty; send a JSON object.", code: "invalid_json"));
        }
        try
        {
            var jsonReader = new Utf8JsonReader(body);
            var value = JsonSerializer.Deserialize(ref jsonReader, typeInfo);
            if (value is null)
            {
                return (null, ApiError.InvalidRequest("The request body must be a JSON object.", code: "invalid_json"));
            }
            if (jsonReader.Read())
            {
                return (null, ApiError.InvalidRequest(
                    $"The request body is not valid JSON: there is more after the object (at byte {jsonReader.TokenStartIndex}).", code: "invalid_json"));
            }
            return (value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at '{path.TrimStart('$', '.')}'" : string.Empty;
            var detail = ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? (where.Length > 0 ? "the value has the wrong type." : "the body must be a JSON object.")
                : ex.Message.Split(" Path:")[0];
            return (null, ApiError.InvalidRequest($"The request body is not valid JSON{where}: {detail}", ParamOf(ex.Path), "invalid_json"));
        }
    }

    private static string? ParamOf(string? path) =>
        path is { Length: > 2 } ? path.TrimStart('$', '.') : null;
}
