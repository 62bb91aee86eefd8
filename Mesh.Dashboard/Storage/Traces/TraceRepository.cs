namespace Mesh.Dashboard.Storage.Traces;

/// <summary>
/// The stored traces, keyed by trace id and kept in arrival order in a ring: when <see cref="TelemetryLimits.MaxTraceCount"/>
/// is reached the trace that arrived first is dropped whole. One lock; ingest takes it once per export batch.
/// </summary>
internal sealed class TraceRepository
{
    private readonly TelemetryLimits _limits;
    private readonly Dictionary<TraceId, TraceEntry> _traces = [];
    private readonly BoundedRing<TraceEntry> _arrivalOrder;
    private readonly Lock _lock = new();
    private int _spanCount;
    private long _droppedSpans;

    public TraceRepository(TelemetryLimits limits)
    {
        _limits = limits;
        _arrivalOrder = new BoundedRing<TraceEntry>(limits.MaxTraceCount);
    }

    public int TraceCount
    {
        get
        {
            lock (_lock)
            {
                return _traces.Count;
            }
        }
    }

    public int SpanCount => Volatile.Read(ref _spanCount);

    /// <summary>Spans refused because their trace was full, or duplicates.</summary>
    public long DroppedSpanCount => Interlocked.Read(ref _droppedSpans);

    /// <summary>Returns how many of <paramref name="spans"/> were kept.</summary>
    public int Add(IReadOnlyList<TelemetrySpan> spans)
    {
        var kept = 0;
        lock (_lock)
        {
            foreach (var span in spans)
            {
                if (!_traces.TryGetValue(span.TraceId, out var entry))
                {
                    entry = new TraceEntry(span.TraceId);
                    if (_arrivalOrder.Add(entry, out var evicted))
                    {
                        _traces.Remove(evicted.TraceId);
                        _spanCount -= evicted.Spans.Count;
                    }
                    _traces[span.TraceId] = entry;
                }
                if (entry.Spans.Count >= _limits.MaxSpansPerTrace || !entry.Add(span))
                {
                    _droppedSpans++;
                    continue;
                }
                _spanCount++;
                kept++;
            }
        }
        return kept;
    }

    /// <summary>The newest matching traces (by arrival), newest first by start time.</summary>
    public IReadOnlyList<TraceSummary> Query(TraceQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, TraceQuery.MaxLimit);
        var matches = new List<TraceSummary>(Math.Min(limit, 256));
        lock (_lock)
        {
            for (var i = _arrivalOrder.Count - 1; i >= 0 && matches.Count < limit; i--)
            {
                var entry = _arrivalOrder[i];
                if (Matches(entry, query))
                {
                    matches.Add(entry.Summarize());
                }
            }
        }
        matches.Sort((a, b) => b.Start.CompareTo(a.Start));
        return matches;
    }

    /// <summary>The newest spans named <paramref name="spanName"/> with the trace they belong to, newest first.</summary>
    public IReadOnlyList<TraceDetail> FindTracesWithSpan(string spanName, int limit)
    {
        var found = new List<TraceDetail>();
        lock (_lock)
        {
            for (var i = _arrivalOrder.Count - 1; i >= 0 && found.Count < limit; i--)
            {
                var entry = _arrivalOrder[i];
                if (entry.Spans.Exists(span => span.Name == spanName))
                {
                    found.Add(new TraceDetail(entry.Summarize(), TraceSpanTree.Order([.. entry.Spans])));
                }
            }
        }
        return found;
    }

    public TraceDetail? Find(TraceId traceId)
    {
        TelemetrySpan[] spans;
        TraceSummary summary;
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId, out var entry))
            {
                return null;
            }
            spans = [.. entry.Spans];
            summary = entry.Summarize();
        }
        return new TraceDetail(summary, TraceSpanTree.Order(spans));
    }

    public void Clear()
    {
        lock (_lock)
        {
            _traces.Clear();
            _arrivalOrder.Clear();
            _spanCount = 0;
        }
    }

    private static bool Matches(TraceEntry entry, TraceQuery query)
    {
        if (query.ErrorsOnly && entry.ErrorCount == 0)
        {
            return false;
        }
        if (query.From is { } from && entry.End < from)
        {
            return false;
        }
        if (query.To is { } to && entry.Start > to)
        {
            return false;
        }
        if (query.MinDuration is { } minimum && entry.End - entry.Start < minimum)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(query.Resource)
            && !entry.Resources.Exists(resource => string.Equals(resource.DisplayName, query.Resource, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }
        if (!string.IsNullOrEmpty(query.SpanName) && !entry.Spans.Exists(span => span.Name == query.SpanName))
        {
            return false;
        }
        return string.IsNullOrWhiteSpace(query.Text) || MatchesText(entry, query.Text.Trim());
    }

    private static bool MatchesText(TraceEntry entry, string text)
    {
        if (entry.TraceId.ToString().StartsWith(text, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        foreach (var span in entry.Spans)
        {
            if (span.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
                || span.Resource.DisplayName.Contains(text, StringComparison.OrdinalIgnoreCase)
                || TelemetryAttributes.Contain(span.Attributes, text))
            {
                return true;
            }
        }
        return false;
    }
}
