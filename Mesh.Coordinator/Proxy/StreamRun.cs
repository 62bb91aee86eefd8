using System.Globalization;
using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Proxy;

/// <summary>
/// The state of one request across its attempts: the tokens already sent (what a migrated stream continues
/// from), which engines served it, when the first and last tokens went out, and the inference and streaming
/// stages of its trace.
/// </summary>
public sealed class StreamRun(CompletionContext request, ClientResponse client, TimeProvider time)
{
    private RequestTrace.Stage? _inference;
    private RequestTrace.Stage? _streaming;
    private long _firstTokenAt;
    private long _lastTokenAt;

    public ClientResponse Client => client;

    public EngineChunk Chunk { get; } = new();

    /// <summary>Token ids sent to the client so far.</summary>
    public List<int> Generated { get; } = new(64);

    public List<string> ServedBy { get; } = [];

    public EngineEntry? FirstEngine { get; set; }

    public long FirstCallStarted { get; set; }

    public int CachedTokens { get; set; }

    public int LocalAttempts { get; set; }

    public int CloudAttempts { get; set; }

    public int Migrations { get; set; }

    /// <summary>Text arrived without token ids: the stream cannot be continued on another engine.</summary>
    public bool Unmigratable { get; set; }

    public string? FinishReason { get; set; }

    /// <summary>Why the router chose the first engine (the decision's reason).</summary>
    public string? Reason { get; set; }

    public Usage? BackendUsage { get; set; }

    public string? LastFailure { get; set; }

    public bool Started => _firstTokenAt != 0 || client.Started;

    private int CompletionTokens => Generated.Count > 0 ? Generated.Count : BackendUsage?.CompletionTokens ?? 0;

    public void BeginInference() => _inference = request.Trace.Begin(TraceStages.InferenceStart);

    /// <summary>Called for every chunk with content; the first closes the inference stage and opens the streaming one.</summary>
    public void FirstToken(EngineEntry engine)
    {
        _lastTokenAt = time.GetTimestamp();
        if (_firstTokenAt != 0)
        {
            return;
        }
        _firstTokenAt = _lastTokenAt;
        if (!request.Http.Response.HasStarted)
        {
            request.Http.Response.Headers[MeshHeaders.Engine] = engine.Id;
        }
        if (_inference is not null)
        {
            _inference.Activity?.SetTag(TraceAttributes.Engine, engine.Id).SetTag(TraceAttributes.Attempt, LocalAttempts + CloudAttempts);
            _inference.Detail = string.Create(CultureInfo.InvariantCulture,
                $"engine={engine.Id} attempts={LocalAttempts + CloudAttempts} cached_tokens={CachedTokens}");
            _inference.Dispose();
            _inference = null;
        }
        _streaming = request.Trace.Begin(TraceStages.StreamingTokens);
    }

    /// <summary>Closes whatever stage is still open (a request that failed before or during streaming).</summary>
    public void EndStages()
    {
        if (_inference is not null)
        {
            _inference.Detail = $"no engine produced a token: {LastFailure ?? "none available"}";
            _inference.Dispose();
            _inference = null;
        }
        if (_streaming is not null)
        {
            _streaming.Activity?.SetTag(TraceAttributes.TokensStreamed, CompletionTokens).SetTag(TraceAttributes.Migrated, Migrations > 0);
            _streaming.Detail = $"tokens={CompletionTokens} finish_reason={FinishReason ?? "none"} migrations={Migrations} engines={string.Join(",", ServedBy)}";
            _streaming.Dispose();
            _streaming = null;
        }
    }

    public RequestFigures? Figures(TimeSpan total)
    {
        if (_firstTokenAt == 0)
        {
            return null;
        }
        var tokens = CompletionTokens;
        var streamingSeconds = time.GetElapsedTime(_firstTokenAt, _lastTokenAt).TotalSeconds;
        return new RequestFigures(
            LatencyMs: Math.Round(time.GetElapsedTime(FirstCallStarted, _lastTokenAt).TotalMilliseconds, 3),
            TimeToFirstTokenMs: Math.Round(total.TotalMilliseconds - time.GetElapsedTime(_firstTokenAt).TotalMilliseconds, 3),
            TokensStreamed: tokens,
            TokensPerSecond: streamingSeconds > 0 && tokens > 1 ? Math.Round((tokens - 1) / streamingSeconds, 2) : 0,
            TotalTimeMs: Math.Round(total.TotalMilliseconds, 3));
    }

    public Task CompleteAsync(CancellationToken cancellationToken)
    {
        EndStages();
        var usage = new Usage(
            FirstEngine?.IsStatic == true && BackendUsage is { } backend ? backend.PromptTokens : request.PromptTokens.Length,
            CompletionTokens,
            CachedTokens);
        var figures = Figures(request.Trace.Elapsed);
        return client.CompleteAsync(FinishReason ?? FinishReasons.Stop, usage, writer => WriteExtension(writer, figures), cancellationToken);
    }

    private void WriteExtension(Utf8JsonWriter writer, RequestFigures? figures)
    {
        writer.WriteString("request_id"u8, request.RequestId);
        writer.WriteString("engine"u8, FirstEngine?.Id);
        writer.WriteStartArray("engines"u8);
        foreach (var engine in ServedBy)
        {
            writer.WriteStringValue(engine);
        }
        writer.WriteEndArray();
        writer.WriteString("policy"u8, request.PolicyName);
        writer.WriteString("tier_policy"u8, request.TierPolicyName);
        writer.WriteString("reason"u8, Reason);
        writer.WriteNumber("cached_tokens"u8, CachedTokens);
        writer.WriteNumber("migrations"u8, Migrations);
        if (figures is { } f)
        {
            writer.WriteNumber("latency_ms"u8, f.LatencyMs);
            writer.WriteNumber("time_to_first_token_ms"u8, f.TimeToFirstTokenMs);
            writer.WriteNumber("tokens_streamed"u8, f.TokensStreamed);
            writer.WriteNumber("tokens_per_second"u8, f.TokensPerSecond);
            writer.WriteNumber("total_time_ms"u8, f.TotalTimeMs);
        }
    }
}
