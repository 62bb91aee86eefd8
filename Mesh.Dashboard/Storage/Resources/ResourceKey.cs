namespace Mesh.Dashboard.Storage.Resources;

/// <summary>
/// Identifies the process that sent telemetry: <c>service.name</c> plus <c>service.instance.id</c>, so the
/// replicas of one resource stay apart.
/// </summary>
public readonly record struct ResourceKey(string ServiceName, string InstanceId)
{
    private const int ShortenedGuidLength = 8;

    /// <summary>
    /// The name a person reads: the service name when there is no instance id; else <c>service-instance</c>, unless
    /// the instance id already starts with the service name (<c>engine</c> + <c>engine-abcdefgh</c> shows
    /// <c>engine-abcdefgh</c>). A GUID instance id, as SDKs generate, is cut to its first eight characters.
    /// </summary>
    public string DisplayName
    {
        get
        {
            if (string.IsNullOrEmpty(InstanceId) || string.Equals(InstanceId, ServiceName, StringComparison.Ordinal))
            {
                return ServiceName;
            }
            if (InstanceId.StartsWith(ServiceName, StringComparison.OrdinalIgnoreCase))
            {
                return InstanceId;
            }
            var instance = Guid.TryParse(InstanceId, out _) ? InstanceId[..ShortenedGuidLength] : InstanceId;
            return $"{ServiceName}-{instance}";
        }
    }

    public override string ToString() => DisplayName;
}
