using System.Globalization;
using System.Text.Json;
using Mesh.Contracts.Telemetry;
using Mesh.Dashboard.Storage.Traces;

namespace Mesh.Dashboard.MeshView;

/// <summary>
/// What a GenAI span says, by the OpenTelemetry GenAI conventions: a span is one when it carries
/// <c>gen_ai.provider.name</c> (or the older <c>gen_ai.system</c>), whichever service sent it (Semantic Kernel in the
/// workflow, the coordinator, an engine). Messages appear only when the sender captured them.
/// </summary>
public sealed record GenAiSpanView(
    string Provider,
    string? Operation,
    string? RequestModel,
    string? ResponseModel,
    long? InputTokens,
    long? OutputTokens,
    long? CachedInputTokens,
    string? FinishReasons,
    double? TimeToFirstTokenMs,
    IReadOnlyList<(string Role, string Content)> InputMessages,
    IReadOnlyList<(string Role, string Content)> OutputMessages)
{
    public static bool IsGenAi(TelemetrySpan span) =>
        span.Attribute(GenAiConventions.ProviderName) is not null || span.Attribute(GenAiConventions.System) is not null;

    public static GenAiSpanView? Read(TelemetrySpan span)
    {
        if ((span.Attribute(GenAiConventions.ProviderName) ?? span.Attribute(GenAiConventions.System)) is not { } provider)
        {
            return null;
        }
        var ttftSeconds = Number(span.Attribute(GenAiConventions.ServerTimeToFirstToken));
        return new GenAiSpanView(
            provider,
            span.Attribute(GenAiConventions.OperationName),
            span.Attribute(GenAiConventions.RequestModel),
            span.Attribute(GenAiConventions.ResponseModel),
            (long?)Number(span.Attribute(GenAiConventions.UsageInputTokens)),
            (long?)Number(span.Attribute(GenAiConventions.UsageOutputTokens)),
            (long?)Number(span.Attribute(GenAiConventions.UsageCacheReadInputTokens)),
            span.Attribute(GenAiConventions.ResponseFinishReasons),
            ttftSeconds is { } seconds ? seconds * 1000 : Number(span.Attribute(TraceAttributes.TimeToFirstTokenMs)),
            Messages(span.Attribute(GenAiConventions.InputMessages)),
            Messages(span.Attribute(GenAiConventions.OutputMessages)));
    }

    /// <summary>The conventions' message JSON (<c>[{"role":..,"parts":[{"type":"text","content":..}]}]</c>, or plain <c>content</c>) as role and text.</summary>
    private static List<(string, string)> Messages(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return [];
            }
            var messages = new List<(string, string)>();
            foreach (var message in document.RootElement.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.Object))
            {
                var role = message.TryGetProperty("role", out var r) ? r.ToString() : "message";
                var text = message.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array
                    ? string.Concat(parts.EnumerateArray().Select(p => p.TryGetProperty("content", out var c) ? c.ToString() : string.Empty))
                    : message.TryGetProperty("content", out var content) ? content.ToString() : string.Empty;
                messages.Add((role, text));
            }
            return messages;
        }
        catch (JsonException)
        {
            return [("raw", json)];
        }
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
