namespace Mesh.Dashboard.Storage.Traces;

/// <summary>Orders a trace's spans for the waterfall: each span followed by its children, siblings by start time.</summary>
internal static class TraceSpanTree
{
    public static IReadOnlyList<TraceSpanRow> Order(IReadOnlyList<TelemetrySpan> spans)
    {
        var known = new HashSet<SpanId>(spans.Select(span => span.SpanId));
        var children = new Dictionary<SpanId, List<TelemetrySpan>>();
        var tops = new List<TelemetrySpan>();
        foreach (var span in spans)
        {
            // A span whose parent never arrived (or lives in another service's trace part we lack) is shown at the top.
            if (span.IsRoot || !known.Contains(span.ParentSpanId))
            {
                tops.Add(span);
                continue;
            }
            if (!children.TryGetValue(span.ParentSpanId, out var list))
            {
                children[span.ParentSpanId] = list = [];
            }
            list.Add(span);
        }

        var rows = new List<TraceSpanRow>(spans.Count);
        var stack = new Stack<(TelemetrySpan Span, int Depth)>();
        foreach (var top in tops.OrderByDescending(StartThenName))
        {
            stack.Push((top, 0));
        }
        while (stack.Count > 0)
        {
            var (span, depth) = stack.Pop();
            var kids = children.GetValueOrDefault(span.SpanId);
            rows.Add(new TraceSpanRow(span, depth, kids?.Count ?? 0));
            if (kids is null)
            {
                continue;
            }
            foreach (var child in kids.OrderByDescending(StartThenName))
            {
                stack.Push((child, depth + 1));
            }
        }
        return rows;
    }

    private static (DateTimeOffset, string) StartThenName(TelemetrySpan span) => (span.Start, span.Name);
}
