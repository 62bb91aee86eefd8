using System.Collections.Concurrent;

namespace Mesh.Dashboard.Storage.Resources;

/// <summary>Every resource that has sent telemetry, found by key or by display name.</summary>
internal sealed class ResourceRegistry(TelemetryLimits limits, TimeProvider time)
{
    private readonly ConcurrentDictionary<ResourceKey, TelemetryResource> _byKey = new();
    private readonly ConcurrentDictionary<string, TelemetryResource> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _addLock = new();

    public int Count => _byKey.Count;

    public TelemetryResource GetOrAdd(ResourceKey key, KeyValuePair<string, string>[] attributes)
    {
        var now = time.GetUtcNow();
        if (!_byKey.TryGetValue(key, out var resource))
        {
            lock (_addLock)
            {
                if (!_byKey.TryGetValue(key, out resource))
                {
                    EvictLeastRecentlySeenWhenFull();
                    resource = new TelemetryResource(key, UniqueDisplayName(key), now);
                    _byName[resource.DisplayName] = resource;
                    _byKey[key] = resource;
                }
            }
        }
        resource.Attributes = attributes;
        resource.Seen(now);
        return resource;
    }

    public TelemetryResource? Find(string? displayName) =>
        displayName is not null && _byName.TryGetValue(displayName, out var resource) ? resource : null;

    /// <summary>Sorted by display name.</summary>
    public IReadOnlyList<TelemetryResource> All() =>
        [.. _byKey.Values.OrderBy(resource => resource.DisplayName, StringComparer.OrdinalIgnoreCase)];

    public void Clear()
    {
        lock (_addLock)
        {
            _byKey.Clear();
            _byName.Clear();
        }
    }

    private string UniqueDisplayName(ResourceKey key)
    {
        var name = key.DisplayName;
        if (!_byName.ContainsKey(name))
        {
            return name;
        }
        // Two keys can shorten to the same name (a service called "engine-a" next to engine + instance "a").
        for (var suffix = 2; ; suffix++)
        {
            var candidate = $"{name} ({suffix})";
            if (!_byName.ContainsKey(candidate))
            {
                return candidate;
            }
        }
    }

    private void EvictLeastRecentlySeenWhenFull()
    {
        if (_byKey.Count < limits.MaxResourceCount)
        {
            return;
        }
        var oldest = _byKey.Values.MinBy(resource => resource.LastSeen);
        if (oldest is not null)
        {
            _byKey.TryRemove(oldest.Key, out _);
            _byName.TryRemove(oldest.DisplayName, out _);
        }
    }
}
