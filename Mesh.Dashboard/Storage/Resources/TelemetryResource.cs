namespace Mesh.Dashboard.Storage.Resources;

/// <summary>A process that sent telemetry, with the attributes of its latest export.</summary>
public sealed class TelemetryResource(ResourceKey key, string displayName, DateTimeOffset firstSeen)
{
    private long _lastSeenTicks = firstSeen.UtcTicks;

    public ResourceKey Key { get; } = key;

    public string ServiceName => Key.ServiceName;

    public string InstanceId => Key.InstanceId;

    /// <summary>Unique among the store's resources (see <see cref="ResourceKey.DisplayName"/>).</summary>
    public string DisplayName { get; } = displayName;

    public DateTimeOffset FirstSeen { get; } = firstSeen;

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    /// <summary>Replaced as a whole on each export; readers see one consistent array.</summary>
    public KeyValuePair<string, string>[] Attributes { get; set; } = [];

    public void Seen(DateTimeOffset at) => Interlocked.Exchange(ref _lastSeenTicks, at.UtcTicks);
}
