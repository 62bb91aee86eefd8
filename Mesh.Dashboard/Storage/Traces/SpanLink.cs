namespace Mesh.Dashboard.Storage.Traces;

/// <summary>A reference from a span to a span of another (or the same) trace.</summary>
public sealed record SpanLink(TraceId TraceId, SpanId SpanId, KeyValuePair<string, string>[] Attributes);
