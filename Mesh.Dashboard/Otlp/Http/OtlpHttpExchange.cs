using System.Buffers;
using System.IO.Compression;
using Google.Protobuf;
using Mesh.Dashboard.Otlp.Json;

namespace Mesh.Dashboard.Otlp.Http;

/// <summary>
/// One OTLP/HTTP export: reads the body in the encoding its content type names (protobuf or JSON, optionally gzip),
/// hands the request to the ingestor and answers in the same encoding. 415 for another content type, 413 past the
/// size limit, 400 (with a google.rpc.Status body) for a payload that does not parse, in which case nothing is stored.
/// </summary>
internal static class OtlpHttpExchange
{
    public static async Task<IResult> HandleAsync<TRequest, TResponse>(
        HttpContext context, MessageParser<TRequest> parser, Func<TRequest, TResponse> ingest, int maxBodyBytes)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        var encoding = OtlpContentTypes.Detect(context.Request.ContentType);
        if (encoding == OtlpEncoding.Unsupported)
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }
        if (context.Request.ContentLength > maxBodyBytes)
        {
            return new OtlpHttpResult(StatusCodes.Status413PayloadTooLarge, encoding, Status(8, $"The body is larger than {maxBodyBytes} bytes."));
        }

        ReadOnlyMemory<byte>? body;
        try
        {
            body = await ReadBodyAsync(context.Request, maxBodyBytes, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            return new OtlpHttpResult(StatusCodes.Status400BadRequest, encoding, Status(3, "The gzip body does not inflate."));
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }
        if (body is null)
        {
            return new OtlpHttpResult(StatusCodes.Status413PayloadTooLarge, encoding, Status(8, $"The body is larger than {maxBodyBytes} bytes."));
        }

        TRequest request;
        try
        {
            request = encoding == OtlpEncoding.Protobuf
                ? parser.ParseFrom(new ReadOnlySequence<byte>(body.Value))
                : OtlpJsonDecoder.Decode<TRequest>(new ReadOnlySequence<byte>(body.Value));
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or InvalidJsonException or System.Text.Json.JsonException
            or FormatException or ArgumentException or InvalidOperationException)
        {
            return new OtlpHttpResult(StatusCodes.Status400BadRequest, encoding, Status(3, $"The {(encoding == OtlpEncoding.Json ? "JSON" : "protobuf")} payload does not parse: {error.Message}"));
        }
        return new OtlpHttpResult(StatusCodes.Status200OK, encoding, ingest(request));
    }

    /// <summary>The whole body (inflated when gzip), or null when it is larger than <paramref name="maxBodyBytes"/>.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int maxBodyBytes, CancellationToken cancellation)
    {
        var gzip = string.Equals(request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip)
        {
            return await CopyAsync(request.Body, request.ContentLength is { } length ? (int)length : 16 * 1024, maxBodyBytes, cancellation);
        }
        await using var inflated = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        return await CopyAsync(inflated, 64 * 1024, maxBodyBytes, cancellation);
    }

    private static async Task<ReadOnlyMemory<byte>?> CopyAsync(Stream source, int expectedBytes, int maxBodyBytes, CancellationToken cancellation)
    {
        using var buffer = new MemoryStream(Math.Clamp(expectedBytes, 0, maxBodyBytes));
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellation)) > 0)
            {
                if (buffer.Length + read > maxBodyBytes)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>google.rpc.Status with a gRPC code (3 invalid argument, 8 resource exhausted).</summary>
    private static Protos.Rpc.Status Status(int code, string message) => new() { Code = code, Message = message };
}
