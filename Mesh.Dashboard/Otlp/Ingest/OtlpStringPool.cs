using System.Collections.Concurrent;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>
/// Shares one instance of the short strings that repeat in every export (attribute keys, span names, engine ids,
/// policies), so the store holds each once instead of once per span. Bounded, so a sender with ever-new values cannot
/// grow it without limit: past the cap, new strings are simply kept as they are.
/// </summary>
internal sealed class OtlpStringPool
{
    private const int MaxEntries = 20_000;
    private const int MaxPooledLength = 96;
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Share(string value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }
        if (value.Length > MaxPooledLength)
        {
            return value;
        }
        if (_strings.TryGetValue(value, out var shared))
        {
            return shared;
        }
        return _strings.Count < MaxEntries ? _strings.GetOrAdd(value, value) : value;
    }
}
