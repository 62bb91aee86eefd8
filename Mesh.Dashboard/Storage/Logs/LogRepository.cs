namespace Mesh.Dashboard.Storage.Logs;

/// <summary>The stored log records in a ring of <see cref="TelemetryLimits.MaxLogCount"/>, oldest overwritten first.</summary>
internal sealed class LogRepository(TelemetryLimits limits)
{
    private readonly BoundedRing<TelemetryLogRecord> _records = new(limits.MaxLogCount);
    private readonly Lock _lock = new();
    private long _sequence;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public long LastSequence => Interlocked.Read(ref _sequence);

    public void Add(IReadOnlyList<TelemetryLogRecord> records)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                record.Sequence = ++_sequence;
                _records.Add(record);
            }
        }
    }

    public LogQueryResult Query(LogQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, LogQuery.MaxLimit);
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : query.Text.Trim();
        var matches = new List<TelemetryLogRecord>(Math.Min(limit, 256));
        var truncated = false;
        int stored;
        lock (_lock)
        {
            stored = _records.Count;
            for (var i = _records.Count - 1; i >= 0; i--)
            {
                var record = _records[i];
                if (record.Sequence <= query.AfterSequence)
                {
                    break;
                }
                if (!Matches(record, query, text))
                {
                    continue;
                }
                if (matches.Count == limit)
                {
                    truncated = true;
                    break;
                }
                matches.Add(record);
            }
        }
        return new LogQueryResult(matches, truncated, stored);
    }

    public void Clear()
    {
        lock (_lock)
        {
            _records.Clear();
        }
    }

    private static bool Matches(TelemetryLogRecord record, LogQuery query, string? text)
    {
        if (query.MinimumSeverity is { } minimum && record.Severity < minimum)
        {
            return false;
        }
        if (query.TraceId is { } traceId && record.TraceId != traceId)
        {
            return false;
        }
        if (query.From is { } from && record.Timestamp < from)
        {
            return false;
        }
        if (query.To is { } to && record.Timestamp > to)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(query.Resource)
            && !string.Equals(record.Resource.DisplayName, query.Resource, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return text is null
            || record.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
            || record.Scope.Contains(text, StringComparison.OrdinalIgnoreCase)
            || TelemetryAttributes.Contain(record.Attributes, text);
    }
}
