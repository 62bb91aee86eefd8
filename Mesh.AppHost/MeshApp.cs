using Mesh.Aspire.Hosting.Redis;

namespace Mesh.AppHost;

/// <summary>What the app model was built from: the settings, the Redis it chose, the resource clients call, and the workflow service.</summary>
public sealed record MeshApp(MeshAppOptions Settings, RedisChoice Redis, IResourceWithEndpoints Entry, IResourceWithEndpoints? Workflow);
