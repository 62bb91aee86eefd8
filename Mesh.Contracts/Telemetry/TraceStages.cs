namespace Mesh.Contracts.Telemetry;

/// <summary>MoFA's seven execution-trace stages, in the order a request passes them.</summary>
public static class TraceStages
{
    public const string WorkflowStart = "workflow.start";
    public const string RouterPolicy = "router.policy";
    public const string RouterBackendSelection = "router.backend_selection";
    public const string InferenceStart = "inference.start";
    public const string StreamingTokens = "streaming.tokens";
    public const string MetricsLatency = "metrics.latency_ms";
    public const string WorkflowComplete = "workflow.complete";

    public static readonly IReadOnlyList<string> All =
    [
        WorkflowStart, RouterPolicy, RouterBackendSelection, InferenceStart, StreamingTokens, MetricsLatency, WorkflowComplete,
    ];
}
