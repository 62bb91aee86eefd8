namespace Mesh.Dashboard.Storage;

/// <summary>Lookups and text matching over attribute lists, which the store keeps as small arrays in arrival order.</summary>
internal static class TelemetryAttributes
{
    public static string? Find(KeyValuePair<string, string>[] attributes, string key)
    {
        foreach (var attribute in attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                return attribute.Value;
            }
        }
        return null;
    }

    /// <summary>Whether any key or value contains <paramref name="text"/>, ignoring case.</summary>
    public static bool Contain(KeyValuePair<string, string>[] attributes, string text)
    {
        foreach (var attribute in attributes)
        {
            if (attribute.Key.Contains(text, StringComparison.OrdinalIgnoreCase)
                || attribute.Value.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether every pair of <paramref name="required"/> is present with the same value.</summary>
    public static bool Include(KeyValuePair<string, string>[] attributes, IReadOnlyDictionary<string, string>? required)
    {
        if (required is null)
        {
            return true;
        }
        foreach (var (key, value) in required)
        {
            if (!string.Equals(Find(attributes, key), value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
