using System.Globalization;
using Mesh.Contracts.Telemetry;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.MeshView;

/// <summary>Reads a request's story out of its trace: the <c>mesh.request</c> span, its seven stages and the backend selection.</summary>
internal static class MeshRequestReader
{
    public static MeshRequest? Read(TraceDetail trace)
    {
        var request = trace.FindSpan(TraceAttributes.RequestSpan);
        if (request is null)
        {
            return null;
        }
        var selectionSpan = trace.FindSpan(TraceStages.RouterBackendSelection);
        var selection = selectionSpan is null ? null : ReadSelection(selectionSpan);
        return new MeshRequest
        {
            TraceId = trace.Summary.TraceId,
            Start = request.Start,
            Duration = request.Duration,
            Coordinator = request.Resource.DisplayName,
            RequestId = request.Attribute(TraceAttributes.RequestId),
            Policy = request.Attribute(TraceAttributes.Policy) ?? selection?.Policy,
            TierPolicy = request.Attribute(TraceAttributes.TierPolicy) ?? selection?.TierPolicy,
            Engine = request.Attribute(TraceAttributes.Engine) ?? selection?.Engine,
            Tier = request.Attribute(TraceAttributes.Tier) ?? selection?.Chosen?.Tier,
            Reason = selection?.Reason ?? request.Attribute(TraceAttributes.Reason),
            CachedTokens = request.Attribute(TraceAttributes.CachedTokens),
            PredictedCachedTokens = request.Attribute(TraceAttributes.PredictedCachedTokens),
            LatencyMs = Number(request.Attribute(TraceAttributes.LatencyMs)),
            TimeToFirstTokenMs = Number(request.Attribute(TraceAttributes.TimeToFirstTokenMs)),
            TokensStreamed = Number(request.Attribute(TraceAttributes.TokensStreamed)),
            TokensPerSecond = Number(request.Attribute(TraceAttributes.TokensPerSecond)),
            TotalTimeMs = Number(request.Attribute(TraceAttributes.TotalTimeMs)),
            HasError = trace.Summary.ErrorCount > 0,
            Stages = ReadStages(trace, request),
            Selection = selection,
        };
    }

    public static BackendSelection ReadSelection(TelemetrySpan span) => new(
        span.Attribute(TraceAttributes.Engine),
        span.Attribute(TraceAttributes.Reason),
        span.Attribute(TraceAttributes.Policy),
        span.Attribute(TraceAttributes.TierPolicy),
        span.Attribute(TraceAttributes.MatchedBlocks),
        span.Attribute(TraceAttributes.PromptBlocks),
        CandidateReports.Parse(span.Attribute(TraceAttributes.Candidates)),
        span.Attributes);

    private static MeshStage[] ReadStages(TraceDetail trace, TelemetrySpan request)
    {
        var stages = new MeshStage[TraceStages.All.Count];
        for (var i = 0; i < stages.Length; i++)
        {
            var name = TraceStages.All[i];
            // DESIGN.md allows a stage to be a child span or an event on the request span.
            var span = trace.Spans.FirstOrDefault(row => row.Span.Name == name && row.Span.TraceId == request.TraceId)?.Span;
            if (span is not null)
            {
                stages[i] = new MeshStage(name, true, span.Start - request.Start, span.Duration, span.HasError);
                continue;
            }
            var stageEvent = request.Events.FirstOrDefault(item => item.Name == name);
            stages[i] = stageEvent is null
                ? new MeshStage(name, false, TimeSpan.Zero, TimeSpan.Zero, false)
                : new MeshStage(name, true, stageEvent.Time - request.Start, TimeSpan.Zero, false);
        }
        return stages;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
