using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mesh.Contracts.Telemetry;

namespace Mesh.SemanticKernel;

/// <summary>
/// The GenAI client metrics of the conventions, for every call through the extension: <c>gen_ai.client.token.usage</c>
/// (input and output tokens) and <c>gen_ai.client.operation.duration</c>, on the <c>Mesh.SemanticKernel</c> meter.
/// </summary>
internal static class MeshClientMetrics
{
    public const string MeterName = "Mesh.SemanticKernel";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<int> TokenUsage = Meter.CreateHistogram(GenAiConventions.ClientTokenUsageMetric, "{token}",
        "Tokens used per call, by type.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = GenAiConventions.TokenUsageBuckets });

    private static readonly Histogram<double> OperationDuration = Meter.CreateHistogram(GenAiConventions.ClientOperationDurationMetric, "s",
        "Duration of each call.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = GenAiConventions.DurationBuckets });

    public static void Record(string model, TimeSpan duration, int? inputTokens, int? outputTokens, string? error)
    {
        var tags = new TagList
        {
            { GenAiConventions.OperationName, GenAiConventions.ChatOperation },
            { GenAiConventions.ProviderName, GenAiConventions.MeshProvider },
            { GenAiConventions.RequestModel, model },
        };
        if (error is not null)
        {
            tags.Add("error.type", error);
        }
        OperationDuration.Record(duration.TotalSeconds, tags);
        if (inputTokens is { } input)
        {
            var inputTags = tags;
            inputTags.Add(GenAiConventions.TokenType, "input");
            TokenUsage.Record(input, inputTags);
        }
        if (outputTokens is { } output)
        {
            var outputTags = tags;
            outputTags.Add(GenAiConventions.TokenType, "output");
            TokenUsage.Record(output, outputTags);
        }
    }
}
