using System.Buffers;
using System.Text.Json;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// The response to the client, in the client's format whichever engine (or engines) produced it: server-sent
/// chunks written as they arrive, or one JSON object at the end. Until the first token it can still become a
/// plain error response; after, errors end the stream with an error event.
/// </summary>
internal sealed class ClientResponse(HttpContext context, CompletionHeader header, bool stream, bool includeUsage) : IDisposable
{
    private readonly ArrayBufferWriter<byte> _text = new(stream ? 1 : 1024);
    private ServerSentEventWriter? _events;
    private bool _sentRole;

    /// <summary>True once the response has started (headers sent); errors can then only be stream events.</summary>
    public bool Started => _events is not null || context.Response.HasStarted;

    public void AppendText(ReadOnlySpan<byte> text)
    {
        if (!stream)
        {
            _text.Write(text);
            return;
        }
        _events ??= new ServerSentEventWriter(context.Response);
        if (text.IsEmpty && _sentRole)
        {
            return;
        }
        OpenAIResponseWriter.WriteChunk(_events.BeginEvent(), header, text, withRole: !_sentRole, finishReason: null, tokenIds: default);
        _events.EndEvent();
        _sentRole = true;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        _events is null ? ValueTask.CompletedTask : _events.FlushAsync(cancellationToken);

    public async Task CompleteAsync(string finishReason, Usage usage, Action<Utf8JsonWriter> meshExtension, CancellationToken cancellationToken)
    {
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter, OpenAIResponseWriter.JsonOptions);
            OpenAIResponseWriter.WriteCompletion(json, header, _text.WrittenSpan, finishReason, usage, meshExtension);
            await json.FlushAsync(cancellationToken);
            return;
        }
        _events ??= new ServerSentEventWriter(context.Response);
        OpenAIResponseWriter.WriteChunk(_events.BeginEvent(), header, ReadOnlySpan<byte>.Empty, withRole: !_sentRole, finishReason, default, meshExtension);
        _events.EndEvent();
        if (includeUsage)
        {
            OpenAIResponseWriter.WriteUsageChunk(_events.BeginEvent(), header, usage, meshExtension);
            _events.EndEvent();
        }
        _events.WriteDone();
        await _events.FlushAsync(cancellationToken);
    }

    /// <summary>Answers an error: as a status and body before the stream started, as an error event after.</summary>
    public async Task FailAsync(ApiError error, CancellationToken cancellationToken)
    {
        if (!Started)
        {
            await ApiErrorResult.WriteAsync(context.Response, error, cancellationToken);
            return;
        }
        _events ??= new ServerSentEventWriter(context.Response);
        OpenAIResponseWriter.WriteError(_events.BeginEvent(), error.Error);
        _events.EndEvent();
        _events.WriteDone();
        await _events.FlushAsync(cancellationToken);
    }

    public void Dispose() => _events?.Dispose();
}
