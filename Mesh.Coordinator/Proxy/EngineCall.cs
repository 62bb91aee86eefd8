using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// One streamed request to an engine. Starting it classifies every way it can fail before the first token
/// (unreachable, timed out, saturated, failing, refusing the request); reading it yields chunks until the
/// stream ends. Each wait (the first token, then every next chunk) is bounded by the token timeout.
/// </summary>
public sealed class EngineCall : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _timeout;
    private readonly TimeSpan _tokenTimeout;
    private readonly ServerSentEventReader _events;

    private EngineCall(HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan tokenTimeout, Stream body)
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

    public static async Task<EngineCallOutcome> StartAsync(
        EngineHttpClient engines, EngineEntry engine, string path, byte[] body, TimeSpan tokenTimeout, CancellationToken requestAborted)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(tokenTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(engine.Url + path))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (engine.IsStatic)
        {
            if (!string.IsNullOrEmpty(engine.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", engine.ApiKey);
            }
        }
        else
        {
            request.Headers.TryAddWithoutValidation(MeshHeaders.IncludeTokenIds, "1");
            if (engines.EngineApiKey is { } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }
        HttpResponseMessage response;
        try
        {
            response = await engines.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            timeout.Dispose();
            return EngineCallOutcome.Failed(EngineFailure.Unreachable, ex.Message);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            timeout.Dispose();
            return EngineCallOutcome.Failed(EngineFailure.TimedOut, $"no first token within {tokenTimeout.TotalSeconds:F1} s");
        }
        catch
        {
            timeout.Dispose();
            throw;
        }
        if (response.IsSuccessStatusCode)
        {
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
                return EngineCallOutcome.Started(new EngineCall(response, timeout, tokenTimeout, stream));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                response.Dispose();
                timeout.Dispose();
                return EngineCallOutcome.Failed(EngineFailure.Unreachable, ex.Message);
            }
        }
        using (response)
        using (timeout)
        {
            var text = await ReadErrorBodyAsync(response, requestAborted);
            var failure = response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => EngineFailure.Saturated,
                >= HttpStatusCode.InternalServerError => EngineFailure.ServerError,
                _ => EngineFailure.Refused,
            };
            return EngineCallOutcome.Failed(failure, text, (int)response.StatusCode);
        }
    }

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

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return text.Length > 2000 ? text[..2000] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return $"{(int)response.StatusCode} with an unreadable body";
        }
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

public enum EngineFailure
{
    /// <summary>Could not connect, or the connection broke.</summary>
    Unreachable,

    /// <summary>No first token (or next token) within the timeout.</summary>
    TimedOut,

    /// <summary>429: its queue is full.</summary>
    Saturated,

    /// <summary>5xx.</summary>
    ServerError,

    /// <summary>4xx other than 429: the request itself was refused.</summary>
    Refused,
}

/// <summary>How starting an engine call ended: a stream to read, or a classified failure.</summary>
public sealed record EngineCallOutcome(EngineCall? Call, EngineFailure? Failure, string? Detail, int? StatusCode)
{
    public static EngineCallOutcome Started(EngineCall call) => new(call, null, null, null);

    public static EngineCallOutcome Failed(EngineFailure failure, string detail, int? statusCode = null) => new(null, failure, detail, statusCode);
}

public sealed class EngineStreamBrokenException : Exception
{
    public EngineStreamBrokenException(string message) : base(message)
    {
    }

    public EngineStreamBrokenException(string message, Exception inner) : base(message, inner)
    {
    }

    public EngineStreamBrokenException()
    {
    }
}
