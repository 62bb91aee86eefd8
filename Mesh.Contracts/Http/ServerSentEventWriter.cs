using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mesh.Contracts.Http;

/// <summary>
/// Writes <c>text/event-stream</c> events straight into the response's pipe: <c>data: {json}\n\n</c>, with one
/// reused <see cref="Utf8JsonWriter"/>, so a streamed token costs no intermediate strings or buffers.
/// </summary>
public sealed class ServerSentEventWriter : IDisposable
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;

    public ServerSentEventWriter(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        _pipe = response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe, OpenAI.OpenAIResponseWriter.JsonOptions);
    }

    /// <summary>Starts a <c>data:</c> event and returns the writer for its JSON; finish it with <see cref="EndEvent"/>.</summary>
    public Utf8JsonWriter BeginEvent()
    {
        _pipe.Write("data: "u8);
        _json.Reset(_pipe);
        return _json;
    }

    public void EndEvent()
    {
        _json.Flush();
        _pipe.Write("\n\n"u8);
    }

    public void WriteDone() => _pipe.Write("data: [DONE]\n\n"u8);

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await _pipe.FlushAsync(cancellationToken);

    public void Dispose() => _json.Dispose();
}
