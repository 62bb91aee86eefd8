using System.Globalization;
using System.Net.Http.Headers;
using Mesh.Contracts.Telemetry;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// An engine's answer once it has started: what it reported with its first token (its identity, the cached tokens it
/// used, what the prefill cost), then its chunks until the stream ends. Each wait for a chunk is bounded by the token timeout.
/// </summary>
internal sealed class EngineStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _timeout;
    private readonly TimeSpan _tokenTimeout;
    private readonly ServerSentEventReader _events;

    internal EngineStream(HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan tokenTimeout, Stream body)
    {
        _response = response;
        _timeout = timeout;
        _tokenTimeout = tokenTimeout;
        _events = new ServerSentEventReader(body);
        var headers = response.Headers;
        EngineId = Header(headers, MeshHeaders.EngineId);
        EngineEpoch = long.TryParse(Header(headers, MeshHeaders.EngineEpoch), CultureInfo.InvariantCulture, out var epoch) ? epoch : null;
        CachedTokens = int.TryParse(Header(headers, MeshHeaders.CachedTokens), CultureInfo.InvariantCulture, out var cached) ? cached : null;
        PromptTokens = int.TryParse(Header(headers, MeshHeaders.PromptTokens), CultureInfo.InvariantCulture, out var prompt) ? prompt : null;
        PrefillMs = double.TryParse(Header(headers, MeshHeaders.PrefillMs), CultureInfo.InvariantCulture, out var prefill) ? prefill : null;
        QueueMs = double.TryParse(Header(headers, MeshHeaders.QueueMs), CultureInfo.InvariantCulture, out var queue) ? queue : null;
    }

    /// <summary>What the engine reported when its first token was ready.</summary>
    public string? EngineId { get; }

    public long? EngineEpoch { get; }

    public int? CachedTokens { get; }

    public int? PromptTokens { get; }

    public double? PrefillMs { get; }

    public double? QueueMs { get; }

    /// <summary>True when the engine's next chunk (or the end of its stream) has already arrived with the last one.</summary>
    public bool HasBufferedChunk => _events.HasBufferedEvent;

    /// <summary>Reads the next chunk into <paramref name="chunk"/>; false at the end of the stream.</summary>
    /// <exception cref="EngineStreamBrokenException">The engine went away or stalled mid-stream.</exception>
    public async ValueTask<bool> ReadAsync(EngineChunk chunk, CancellationToken requestAborted)
    {
        _timeout.CancelAfter(_tokenTimeout);
        ReadOnlyMemory<byte> data;
        try
        {
            data = await _events.ReadAsync(_timeout.Token);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            throw new EngineStreamBrokenException($"no token within {_tokenTimeout.TotalSeconds:F1} s");
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new EngineStreamBrokenException(ex.Message, ex);
        }
        if (data.IsEmpty)
        {
            return false;
        }
        if (!chunk.TryParse(data.Span))
        {
            throw new EngineStreamBrokenException("the engine sent a chunk that is not JSON");
        }
        return true;
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public async ValueTask DisposeAsync()
    {
        await _events.DisposeAsync();
        _response.Dispose();
        _timeout.Dispose();
    }
}
