namespace Mesh.Dashboard.Storage.Metrics;

/// <summary>The points of one instrument for one set of attribute values, in a ring of the newest points.</summary>
internal sealed class MetricSeries(KeyValuePair<string, string>[] attributes, int capacity)
{
    private readonly BoundedRing<MetricPoint> _points = new(capacity);

    /// <summary>Sorted by key.</summary>
    public KeyValuePair<string, string>[] Attributes { get; } = attributes;

    public int PointCount => _points.Count;

    public MetricPoint? Latest => _points.Count == 0 ? null : _points.Newest;

    /// <summary>
    /// Appends in time order. A point with the newest point's timestamp replaces it (an exporter's retry); an older one
    /// is ignored. Histogram bounds equal to the previous point's share its array.
    /// </summary>
    public bool Add(MetricPoint point)
    {
        if (_points.Count > 0)
        {
            var newest = _points.Newest;
            if (point.Time < newest.Time)
            {
                return false;
            }
            point = ShareBounds(point, newest);
            if (point.Time == newest.Time)
            {
                _points[_points.Count - 1] = point;
                return true;
            }
        }
        _points.Add(point);
        return true;
    }

    /// <summary>Copies the points at or after <paramref name="from"/>, oldest first, plus the one just before it (to compute a rate at the window's edge).</summary>
    public MetricPoint[] PointsSince(DateTimeOffset? from)
    {
        if (from is null)
        {
            return _points.ToArray();
        }
        var first = _points.Count;
        while (first > 0 && _points[first - 1].Time >= from)
        {
            first--;
        }
        first = Math.Max(0, first - 1);
        var copy = new MetricPoint[_points.Count - first];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = _points[first + i];
        }
        return copy;
    }

    private static MetricPoint ShareBounds(MetricPoint point, MetricPoint previous)
    {
        if (point.Distribution is { } current && previous.Distribution is { } earlier
            && !ReferenceEquals(current.Bounds, earlier.Bounds)
            && current.Bounds.AsSpan().SequenceEqual(earlier.Bounds))
        {
            return point with { Distribution = current with { Bounds = earlier.Bounds } };
        }
        return point;
    }
}
