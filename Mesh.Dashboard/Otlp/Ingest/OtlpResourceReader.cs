using Mesh.Dashboard.Storage;
using Mesh.Dashboard.Storage.Resources;

namespace Mesh.Dashboard.Otlp.Ingest;

/// <summary>Finds (or registers) the store's resource for an export's OTLP resource, by <c>service.name</c> and <c>service.instance.id</c>.</summary>
internal static class OtlpResourceReader
{
    public const string ServiceNameAttribute = "service.name";
    public const string ServiceInstanceIdAttribute = "service.instance.id";
    public const string UnknownService = "unknown_service";

    public static TelemetryResource Register(TelemetryStore store, OtlpValueReader values, Protos.Resource.Resource? resource)
    {
        var attributes = resource is null ? [] : values.ReadAttributes(resource.Attributes);
        var serviceName = TelemetryAttributes.Find(attributes, ServiceNameAttribute);
        var instanceId = TelemetryAttributes.Find(attributes, ServiceInstanceIdAttribute) ?? string.Empty;
        var key = new ResourceKey(string.IsNullOrWhiteSpace(serviceName) ? UnknownService : serviceName, instanceId);
        return store.Resources.GetOrAdd(key, attributes);
    }
}
