namespace Mesh.Hosting.Processes;

/// <summary>The last N lines of a resource's console output, kept for the dashboard and for test failure messages.</summary>
public sealed class LogBuffer(int capacity)
{
    private readonly Queue<LogLine> _lines = new(capacity);
    private readonly Lock _lock = new();
    private long _sequence;

    /// <summary>Raised for every line, on the thread that read it.</summary>
    public event Action<LogLine>? LineAdded;

    public int Capacity { get; } = capacity;

    public void Add(string text, bool isError, DateTimeOffset timestamp)
    {
        LogLine line;
        lock (_lock)
        {
            line = new LogLine(++_sequence, timestamp, isError, text);
            if (_lines.Count == Capacity)
            {
                _lines.Dequeue();
            }
            _lines.Enqueue(line);
        }
        LineAdded?.Invoke(line);
    }

    /// <summary>Lines with a sequence number above <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<LogLine> Snapshot(long afterSequence = 0)
    {
        lock (_lock)
        {
            return [.. _lines.Where(line => line.Sequence > afterSequence)];
        }
    }

    public string Tail(int lines)
    {
        var snapshot = Snapshot();
        return string.Join(Environment.NewLine, snapshot.Skip(Math.Max(0, snapshot.Count - lines)).Select(l => l.Text));
    }
}
