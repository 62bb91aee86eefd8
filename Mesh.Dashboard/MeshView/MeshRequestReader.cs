using System.Globalization;
using Mesh.Contracts.Telemetry;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.MeshView;

/// <summary>
/// Reads each request's story out of a trace: its <c>mesh.request</c> span, its seven stages and the backend selection.
/// A trace holds one request when a client called the coordinator, several when a workflow run did (one per step).
/// </summary>
internal static class MeshRequestReader
{

    public static MeshRequest? Read(TraceDetail trace) => ReadAll(trace).FirstOrDefault();

    public static IEnumerable<MeshRequest> ReadAll(TraceDetail trace)
    {
        var byId = trace.Spans.GroupBy(row => row.Span.SpanId).ToDictionary(group => group.Key, group => group.First().Span);
        foreach (var row in trace.Spans.Where(row => row.Span.Name == TraceAttributes.RequestSpan))
        {
            yield return Read(trace, row.Span, byId);
        }
    }

    private static MeshRequest Read(TraceDetail trace, TelemetrySpan request, Dictionary<SpanId, TelemetrySpan> byId)
    {
        var selectionSpan = Child(trace, request, TraceStages.RouterBackendSelection);
        var selection = selectionSpan is null ? null : ReadSelection(selectionSpan);
        return new MeshRequest
        {
            TraceId = trace.Summary.TraceId,
            SpanId = request.SpanId,
            WorkflowStep = WorkflowStep(request, byId),
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
            // A stage is a child span of the request, or an event on it.
            var span = Child(trace, request, name);
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

    private static TelemetrySpan? Child(TraceDetail trace, TelemetrySpan parent, string name) =>
        trace.Spans.FirstOrDefault(row => row.Span.Name == name && row.Span.ParentSpanId == parent.SpanId)?.Span;

    /// <summary>The nearest <c>workflow.step</c> span above the request, by its step name, if there is one.</summary>
    private static string? WorkflowStep(TelemetrySpan request, Dictionary<SpanId, TelemetrySpan> byId)
    {
        for (var span = request; !span.ParentSpanId.IsEmpty && byId.TryGetValue(span.ParentSpanId, out var parent); span = parent)
        {
            if (parent.Name.StartsWith(TraceAttributes.WorkflowStepSpan, StringComparison.Ordinal))
            {
                return parent.Attribute(TraceAttributes.WorkflowStep) ?? parent.Name[TraceAttributes.WorkflowStepSpan.Length..].Trim();
            }
        }
        return null;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
