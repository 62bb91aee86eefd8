namespace Mesh.Contracts.Telemetry;

/// <summary>
/// The OpenTelemetry semantic conventions for generative AI (v1.37), as far as the mesh emits them: span attributes on the
/// coordinator's and engines' inference spans, client metrics from the Semantic Kernel extension and server metrics from
/// the engines, with the bucket boundaries the conventions recommend. The Aspire dashboard and Mesh's own recognise a GenAI
/// span by <see cref="ProviderName"/> (or the older <see cref="System"/>).
/// </summary>
public static class GenAiConventions
{
    public const string Version = "1.37.0";

    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string System = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestStream = "gen_ai.request.stream";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";
    public const string UsageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string TokenType = "gen_ai.token.type";
    public const string ServerTimeToFirstToken = "gen_ai.server.time_to_first_token";

    /// <summary>The provider name the mesh reports for itself.</summary>
    public const string MeshProvider = "mesh";

    public const string ChatOperation = "chat";
    public const string TextCompletionOperation = "text_completion";

    /// <summary>The conventions' span name: the operation, then the model.</summary>
    public static string SpanName(string operation, string? model) => string.IsNullOrEmpty(model) ? operation : $"{operation} {model}";

    public const string ClientTokenUsageMetric = "gen_ai.client.token.usage";
    public const string ClientOperationDurationMetric = "gen_ai.client.operation.duration";
    public const string ServerRequestDurationMetric = "gen_ai.server.request.duration";
    public const string ServerTimeToFirstTokenMetric = "gen_ai.server.time_to_first_token";
    public const string ServerTimePerOutputTokenMetric = "gen_ai.server.time_per_output_token";

    public static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    public static readonly double[] TimeToFirstTokenBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    public static readonly double[] TimePerOutputTokenBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];

    public static readonly int[] TokenUsageBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
}
