using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mesh.Contracts.Http;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Contracts.Tokenization;
using Mesh.Engine.Registry;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;

namespace Mesh.Engine.Api;

/// <summary>
/// Answers one admitted sequence: as server-sent events while tokens arrive, or as one JSON object at the end.
/// Response headers go out with the first token, so they can tell the caller what the prefill really cost
/// (cached tokens, queue and prefill time). The sequence is cancelled when the client goes away.
/// </summary>
public sealed class GenerationResult(
    Sequence sequence,
    GenerationPlan plan,
    CancellationTokenSource cancellation,
    EngineIdentity identity,
    MeshTokenizer tokenizer,
    EngineMetrics metrics,
    TimeProvider time) : IResult, IDisposable
{
    private readonly CompletionHeader _header = new(
        plan.Kind,
        (plan.Kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + identity.Id + "-" + sequence.Id.ToString(CultureInfo.InvariantCulture),
        time.GetUtcNow().ToUnixTimeSeconds(),
        identity.Model.ServedName);

    private readonly StopSequenceMatcher _stops = new(plan.Stop);
    private readonly IncrementalDecoder _decoder = new(tokenizer);
    private readonly List<int> _chunkTokens = new(16);
    private readonly StringBuilder _text = new();
    private int _completionTokens;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        try
        {
            if (plan.Stream)
            {
                await StreamAsync(response, aborted);
            }
            else
            {
                await RespondWholeAsync(response, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; the linked token has already cancelled the sequence.
        }
        finally
        {
            cancellation.Cancel();
            RecordSpans();
        }
    }

    private async Task StreamAsync(HttpResponse response, CancellationToken aborted)
    {
        var reader = sequence.Output;
        Exception? failure = null;
        try
        {
            await reader.WaitToReadAsync(aborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ApiErrorResult.WriteAsync(response, ApiError.Internal("The engine failed before the first token."), aborted);
            return;
        }
        WriteHeaders(response);
        using var events = new ServerSentEventWriter(response);
        var first = true;
        try
        {
            while (!_stops.Stopped && await reader.WaitToReadAsync(aborted))
            {
                _text.Clear();
                while (reader.TryRead(out var token))
                {
                    _completionTokens++;
                    _chunkTokens.Add(token);
                    _text.Append(_decoder.Push(token));
                }
                var visible = _stops.Append(_text.ToString());
                if (visible.Length > 0 || (plan.IncludeTokenIds && _chunkTokens.Count > 0))
                {
                    WriteChunk(events, visible, first, null);
                    first = false;
                }
                _chunkTokens.Clear();
                await events.FlushAsync(aborted);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure = ex;
        }
        if (!_stops.Stopped)
        {
            var rest = _stops.Append(_decoder.Flush()) + _stops.Flush();
            if (rest.Length > 0)
            {
                WriteChunk(events, rest, first, null);
            }
        }
        if (failure is not null || sequence.FinishReason is "error")
        {
            OpenAIResponseWriter.WriteError(events.BeginEvent(), ApiError.Internal("The engine failed while generating.").Error);
            events.EndEvent();
        }
        else
        {
            WriteChunk(events, string.Empty, false, FinishReason);
            if (plan.IncludeUsage)
            {
                OpenAIResponseWriter.WriteUsageChunk(events.BeginEvent(), _header, Usage, WriteExtension);
                events.EndEvent();
            }
        }
        events.WriteDone();
        await events.FlushAsync(aborted);
    }

    private async Task RespondWholeAsync(HttpResponse response, CancellationToken aborted)
    {
        var reader = sequence.Output;
        var text = _text.Clear();
        var tokens = new List<int>();
        try
        {
            while (!_stops.Stopped && await reader.WaitToReadAsync(aborted))
            {
                while (reader.TryRead(out var token))
                {
                    _completionTokens++;
                    tokens.Add(token);
                    text.Append(_stops.Append(_decoder.Push(token)));
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ApiErrorResult.WriteAsync(response, ApiError.Internal("The engine failed while generating."), aborted);
            return;
        }
        if (!_stops.Stopped)
        {
            text.Append(_stops.Append(_decoder.Flush())).Append(_stops.Flush());
        }
        WriteHeaders(response);
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter, OpenAIResponseWriter.JsonOptions);
        OpenAIResponseWriter.WriteCompletion(json, _header, System.Text.Encoding.UTF8.GetBytes(text.ToString()), FinishReason, Usage, writer =>
        {
            WriteExtension(writer);
            if (plan.IncludeTokenIds)
            {
                OpenAIResponseWriter.WriteTokenIds(writer, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens));
            }
        });
        await json.FlushAsync(aborted);
    }

    private string FinishReason => _stops.Stopped ? FinishReasons.Stop : sequence.FinishReason ?? FinishReasons.Stop;

    private Usage Usage => new(sequence.PromptLength, _completionTokens, sequence.CachedPromptTokens);

    private void WriteChunk(ServerSentEventWriter events, string text, bool withRole, string? finishReason)
    {
        var tokens = plan.IncludeTokenIds ? System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_chunkTokens) : default;
        OpenAIResponseWriter.WriteChunk(events.BeginEvent(), _header, text, withRole, finishReason, tokens);
        events.EndEvent();
    }

    private void WriteHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers[MeshHeaders.EngineId] = identity.Id;
        headers[MeshHeaders.EngineEpoch] = identity.Epoch.ToString(CultureInfo.InvariantCulture);
        headers[MeshHeaders.PromptTokens] = sequence.PromptLength.ToString(CultureInfo.InvariantCulture);
        headers[MeshHeaders.CachedTokens] = sequence.CachedPromptTokens.ToString(CultureInfo.InvariantCulture);
        headers[MeshHeaders.QueueMs] = Milliseconds(sequence.EnqueuedAt, sequence.AdmittedAt).ToString("F2", CultureInfo.InvariantCulture);
        headers[MeshHeaders.PrefillMs] = Milliseconds(sequence.AdmittedAt, sequence.FirstTokenAt).ToString("F2", CultureInfo.InvariantCulture);
        headers[MeshHeaders.Seed] = sequence.Sampling.Seed.ToString(CultureInfo.InvariantCulture);
    }

    private void WriteExtension(Utf8JsonWriter writer)
    {
        writer.WriteString("engine"u8, identity.Id);
        writer.WriteNumber("epoch"u8, identity.Epoch);
        writer.WriteString("tier"u8, identity.Tier.ToString().ToLowerInvariant());
        writer.WriteBoolean("simulated"u8, identity.Model.IsSimulated);
        writer.WriteNumber("seed"u8, sequence.Sampling.Seed);
        writer.WriteNumber("queue_ms"u8, Milliseconds(sequence.EnqueuedAt, sequence.AdmittedAt));
        writer.WriteNumber("prefill_ms"u8, Milliseconds(sequence.AdmittedAt, sequence.FirstTokenAt));
        writer.WriteNumber("decode_ms"u8, Milliseconds(sequence.FirstTokenAt, sequence.FinishedAt));
        writer.WriteNumber("preemptions"u8, sequence.Preemptions);
    }

    private double Milliseconds(long from, long to) =>
        from == 0 || to < from ? 0 : Math.Round(time.GetElapsedTime(from, to).TotalMilliseconds, 3);

    /// <summary>
    /// The request's inference span, <c>chat {model}</c> (or <c>text_completion {model}</c>) with the GenAI conventions'
    /// attributes, and under it the engine's own stages: queue, prefill, decode. Recorded at the end, with the times the
    /// scheduler noted; the GenAI server metrics are recorded with it.
    /// </summary>
    private void RecordSpans()
    {
        var now = time.GetTimestamp();
        var nowUtc = time.GetUtcNow();
        DateTimeOffset At(long timestamp) => nowUtc - time.GetElapsedTime(timestamp, now);
        var admitted = sequence.AdmittedAt;
        var first = sequence.FirstTokenAt;
        var finished = sequence.FinishedAt != 0 ? sequence.FinishedAt : now;
        var operation = plan.Kind == CompletionKind.Chat ? GenAiConventions.ChatOperation : GenAiConventions.TextCompletionOperation;
        var model = identity.Model.ServedName;
        double? ttft = first != 0 ? time.GetElapsedTime(sequence.EnqueuedAt, first).TotalSeconds : null;
        double? perOutputToken = first != 0 && _completionTokens > 1 ? time.GetElapsedTime(first, finished).TotalSeconds / (_completionTokens - 1) : null;
        metrics.GenAiRequest(operation, model, time.GetElapsedTime(sequence.EnqueuedAt, finished).TotalSeconds, ttft, perOutputToken, FinishReason == "error");
        using var inference = EngineActivitySource.Instance.StartActivity(
            GenAiConventions.SpanName(operation, model), ActivityKind.Internal, Activity.Current?.Context ?? default, startTime: At(sequence.EnqueuedAt));
        inference?.SetTag(GenAiConventions.OperationName, operation)
            .SetTag(GenAiConventions.ProviderName, GenAiConventions.MeshProvider)
            .SetTag(GenAiConventions.RequestModel, model)
            .SetTag(GenAiConventions.ResponseModel, model)
            .SetTag(GenAiConventions.ResponseId, _header.Id)
            .SetTag(GenAiConventions.RequestStream, plan.Stream)
            .SetTag(GenAiConventions.RequestMaxTokens, plan.MaxNewTokens)
            .SetTag(GenAiConventions.RequestTemperature, plan.Sampling.Temperature)
            .SetTag(GenAiConventions.UsageInputTokens, sequence.PromptLength)
            .SetTag(GenAiConventions.UsageOutputTokens, _completionTokens)
            .SetTag(GenAiConventions.UsageCacheReadInputTokens, sequence.CachedPromptTokens)
            .SetTag(GenAiConventions.ResponseFinishReasons, new[] { FinishReason })
            .SetTag(GenAiConventions.ServerTimeToFirstToken, ttft)
            .SetTag(TraceAttributes.Engine, identity.Id);
        var parent = inference?.Context ?? Activity.Current?.Context ?? default;
        Span(TraceAttributes.EngineQueueSpan, sequence.EnqueuedAt, admitted != 0 ? admitted : finished);
        if (admitted != 0)
        {
            Span(TraceAttributes.EnginePrefillSpan, admitted, first != 0 ? first : finished, activity => activity
                .SetTag(TraceAttributes.PromptTokens, sequence.PromptLength)
                .SetTag(TraceAttributes.CachedTokens, sequence.CachedPromptTokens));
        }
        if (first != 0)
        {
            Span(TraceAttributes.EngineDecodeSpan, first, finished, activity => activity
                .SetTag(TraceAttributes.CompletionTokens, _completionTokens)
                .SetTag(TraceAttributes.FinishReason, FinishReason));
        }

        void Span(string name, long start, long end, Action<Activity>? tag = null)
        {
            using var activity = EngineActivitySource.Instance.StartActivity(name, ActivityKind.Internal, parent, startTime: At(start));
            if (activity is null)
            {
                return;
            }
            activity.SetTag(TraceAttributes.Engine, identity.Id);
            if (plan.User is not null)
            {
                activity.SetTag("enduser.id", plan.User);
            }
            tag?.Invoke(activity);
            activity.SetEndTime(At(end).UtcDateTime);
        }
        inference?.SetEndTime(At(finished).UtcDateTime);
    }

    public void Dispose() => cancellation.Dispose();
}
