using System.Net;
using System.Net.Http.Headers;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Registry;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// Forwards over HTTP through an <see cref="HttpMessageInvoker"/> (a stub handler in unit tests): the engine's API key or
/// a static backend's own key, the request for token ids from Mesh engines, and the first answer classified: a stream, or
/// unreachable, timed out, saturated (429), failing (5xx) or refused (other 4xx).
/// </summary>
internal sealed class HttpEngineForwarder(HttpMessageInvoker invoker, string? engineApiKey) : IEngineForwarder
{
    public HttpEngineForwarder(EngineConnection connection) : this(connection.Invoker, connection.EngineApiKey)
    {
    }

    public async Task<ForwardOutcome> SendAsync(EngineEntry engine, string path, byte[] body, TimeSpan firstTokenTimeout, CancellationToken requestAborted)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        timeout.CancelAfter(firstTokenTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(engine.Url + path))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        var key = engine.IsStatic ? engine.ApiKey : engineApiKey;
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (!engine.IsStatic)
        {
            request.Headers.TryAddWithoutValidation(MeshHeaders.IncludeTokenIds, "1");
        }
        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            timeout.Dispose();
            return ForwardOutcome.Failed(EngineFailure.Unreachable, ex.Message);
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            timeout.Dispose();
            return ForwardOutcome.Failed(EngineFailure.TimedOut, $"no first token within {firstTokenTimeout.TotalSeconds:F1} s");
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
                return ForwardOutcome.Started(new EngineStream(response, timeout, firstTokenTimeout, stream));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                response.Dispose();
                timeout.Dispose();
                return ForwardOutcome.Failed(EngineFailure.Unreachable, ex.Message);
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
            return ForwardOutcome.Failed(failure, text, (int)response.StatusCode);
        }
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
}
