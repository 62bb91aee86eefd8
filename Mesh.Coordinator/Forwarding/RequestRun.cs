using System.Globalization;
using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Telemetry;
using Mesh.Coordinator.Registry;
using Mesh.Coordinator.Telemetry;
using Mesh.Coordinator.Validation;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// The state of one request across its attempts, written only here: the tokens already sent (what a migrated stream
/// continues from), which engines served it, when the first and last tokens went out, and the inference and streaming
/// stages of its trace. The failover loop reports what happened; this keeps the account and answers the client.
/// </summary>
internal sealed class RequestRun(CompletionContext request, RequestTrace trace, ClientResponse client, string reason, TimeProvider time)
{
    private readonly List<int> _generated = new(64);
    private readonly List<string> _servedBy = [];
    private RequestTrace.Stage? _inference;
    private RequestTrace.Stage? _streaming;
    private long _firstCallStarted;
    private long _firstTokenAt;
    private long _lastTokenAt;
    private Usage? _backendUsage;
    private int _attempts;

    public CompletionContext Request => request;

    public RequestTrace Trace => trace;

    public ClientResponse Client => client;

    public EngineChunk Chunk { get; } = new();

    /// <summary>Token ids sent to the client so far.</summary>
    public IReadOnlyList<int> Generated => _generated;

    public IReadOnlyList<string> ServedBy => _servedBy;

    public EngineEntry? FirstEngine { get; private set; }

    public int CachedTokens { get; private set; }

    public int Migrations { get; private set; }

    /// <summary>Text arrived without token ids: the stream cannot be continued on another engine.</summary>
    public bool Unmigratable { get; private set; }

    public string? FinishReason { get; private set; }

    /// <summary>Why the last attempt failed, for the trace of a request no engine could serve.</summary>
    public string? LastFailure { get; set; }

    public bool Started => _firstTokenAt != 0 || client.Started;

    private int CompletionTokens => _generated.Count > 0 ? _generated.Count : _backendUsage?.CompletionTokens ?? 0;

    private int InputTokens => FirstEngine?.IsStatic == true && _backendUsage is { } backend ? backend.PromptTokens : request.PromptTokens.Length;

    public void BeginInference() => _inference = trace.Begin(TraceStages.InferenceStart);

    public void Attempting() => _attempts++;

    /// <summary>An engine answered with a stream: the first one serves the request, a later one continues it.</summary>
    public void StreamStarted(EngineEntry engine, long callStarted, int? cachedTokens, bool continuing)
    {
        if (continuing)
        {
            Migrations++;
        }
        else
        {
            FirstEngine = engine;
            _firstCallStarted = callStarted;
            CachedTokens = cachedTokens ?? 0;
        }
        _servedBy.Add(engine.Id);
    }

    /// <summary>Takes one chunk from <paramref name="engine"/> and passes its text on to the client.</summary>
    /// <exception cref="EngineStreamBrokenException">The engine reported an error inside the stream.</exception>
    public void Append(EngineChunk chunk, EngineEntry engine)
    {
        if (chunk.ErrorMessage is not null)
        {
            throw new EngineStreamBrokenException($"the engine reported: {chunk.ErrorMessage}");
        }
        if (chunk.TokenIds.Count > 0)
        {
            _generated.AddRange(chunk.TokenIds);
        }
        else if (chunk.TextLength > 0)
        {
            Unmigratable = true; // a backend without token ids: its text cannot be continued elsewhere
        }
        if (chunk.TextLength > 0 || chunk.TokenIds.Count > 0)
        {
            TokenSent(engine);
            client.AppendText(chunk.Text);
        }
        if (chunk.Usage is { } usage)
        {
            _backendUsage = usage;
        }
        if (chunk.FinishReason is not null)
        {
            FinishReason = chunk.FinishReason;
        }
    }

    /// <summary>The engine's stream ended: complete unless it stopped short of a finish.</summary>
    /// <exception cref="EngineStreamBrokenException">It ended without a finish reason.</exception>
    public void EndOfStream()
    {
        if (FinishReason is not null)
        {
            return;
        }
        if (_generated.Count >= request.MaxTokens && _generated.Count > 0)
        {
            FinishReason = FinishReasons.Length;
            return;
        }
        throw new EngineStreamBrokenException("the stream ended without a finish reason");
    }

    /// <summary>The first token closes the inference stage, opens the streaming one and sends the routing headers.</summary>
    private void TokenSent(EngineEntry engine)
    {
        _lastTokenAt = time.GetTimestamp();
        if (_firstTokenAt != 0)
        {
            return;
        }
        _firstTokenAt = _lastTokenAt;
        if (!request.Http.Response.HasStarted)
        {
            var headers = request.Http.Response.Headers;
            headers[MeshHeaders.Engine] = engine.Id;
            headers[MeshHeaders.Tier] = engine.TierName;
            headers[MeshHeaders.Reason] = reason;
            headers[MeshHeaders.CachedTokens] = CachedTokens.ToString(CultureInfo.InvariantCulture);
            headers[MeshHeaders.TimeToFirstTokenMs] = trace.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);
        }
        if (_inference is not null)
        {
            _inference.Activity?.SetTag(TraceAttributes.Engine, engine.Id).SetTag(TraceAttributes.Attempt, _attempts);
            _inference.Detail = string.Create(CultureInfo.InvariantCulture, $"engine={engine.Id} attempts={_attempts} cached_tokens={CachedTokens}");
            _inference.Dispose();
            _inference = null;
        }
        _streaming = trace.Begin(TraceStages.StreamingTokens);
    }

    /// <summary>Closes whatever stage is still open (a request that failed before or during streaming).</summary>
    private void EndStages()
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
            _streaming.Detail = $"tokens={CompletionTokens} finish_reason={FinishReason ?? "none"} migrations={Migrations} engines={string.Join(",", _servedBy)}";
            _streaming.Dispose();
            _streaming = null;
        }
    }

    private RequestFigures? Figures()
    {
        if (_firstTokenAt == 0)
        {
            return null;
        }
        var total = trace.Elapsed;
        var tokens = CompletionTokens;
        var streamingSeconds = time.GetElapsedTime(_firstTokenAt, _lastTokenAt).TotalSeconds;
        return new RequestFigures(
            LatencyMs: Math.Round(time.GetElapsedTime(_firstCallStarted, _lastTokenAt).TotalMilliseconds, 3),
            TimeToFirstTokenMs: Math.Round(total.TotalMilliseconds - time.GetElapsedTime(_firstTokenAt).TotalMilliseconds, 3),
            TokensStreamed: tokens,
            TokensPerSecond: streamingSeconds > 0 && tokens > 1 ? Math.Round((tokens - 1) / streamingSeconds, 2) : 0,
            TotalTimeMs: Math.Round(total.TotalMilliseconds, 3));
    }

    /// <summary>Closes the stages and sums the request up for its telemetry.</summary>
    public RequestOutcome Summarize(string outcome)
    {
        EndStages();
        return new RequestOutcome(outcome, FirstEngine?.Id, FirstEngine?.TierName, FirstEngine?.UpstreamModel ?? request.Model, _servedBy,
            Figures(), InputTokens, CompletionTokens, CachedTokens, FinishReason);
    }

    /// <summary>Ends the client's response: the last chunk (or the whole body), usage, and the <c>mesh</c> object.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken)
    {
        EndStages();
        var figures = Figures();
        var usage = new Usage(InputTokens, CompletionTokens, CachedTokens);
        return client.CompleteAsync(FinishReason ?? FinishReasons.Stop, usage, writer => WriteExtension(writer, figures), cancellationToken);
    }

    private void WriteExtension(Utf8JsonWriter writer, RequestFigures? figures)
    {
        writer.WriteString("request_id"u8, request.RequestId);
        writer.WriteString("engine"u8, FirstEngine?.Id);
        writer.WriteString("tier"u8, FirstEngine?.TierName);
        writer.WriteStartArray("engines"u8);
        foreach (var engine in _servedBy)
        {
            writer.WriteStringValue(engine);
        }
        writer.WriteEndArray();
        writer.WriteString("policy"u8, request.PolicyName);
        writer.WriteString("tier_policy"u8, request.TierPolicyName);
        writer.WriteString("reason"u8, reason);
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
