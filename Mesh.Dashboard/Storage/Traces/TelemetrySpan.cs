using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Storage.Traces;

/// <summary>One span as the store keeps it. Immutable once built.</summary>
public sealed class TelemetrySpan
{
    public required TraceId TraceId { get; init; }

    public required SpanId SpanId { get; init; }

    public SpanId ParentSpanId { get; init; }

    public required string Name { get; init; }

    public SpanKind Kind { get; init; }

    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public TimeSpan Duration => End > Start ? End - Start : TimeSpan.Zero;

    public SpanStatus Status { get; init; }

    public string? StatusMessage { get; init; }

    public required TelemetryResource Resource { get; init; }

    /// <summary>The ActivitySource that produced it.</summary>
    public string Scope { get; init; } = string.Empty;

    public KeyValuePair<string, string>[] Attributes { get; init; } = [];

    public SpanEvent[] Events { get; init; } = [];

    public SpanLink[] Links { get; init; } = [];

    public bool IsRoot => ParentSpanId.IsEmpty;

    public bool HasError => Status == SpanStatus.Error;

    public string? Attribute(string key) => TelemetryAttributes.Find(Attributes, key);
}
