namespace Mesh.Aspire.Hosting.Redis;

/// <summary>Where the mesh's Redis comes from (<c>Mesh:Redis:Mode</c>).</summary>
public enum RedisMode
{
    /// <summary>A container where a container runtime answers, else this machine's <c>redis-server</c>, else none.</summary>
    Auto,

    /// <summary>Aspire.Hosting.Redis's container.</summary>
    Container,

    /// <summary>This machine's <c>redis-server</c>, run as an executable resource.</summary>
    Executable,

    /// <summary>An existing Redis or Redis Cluster, by connection string (<c>Mesh:Redis:ConnectionString</c>).</summary>
    External,

    /// <summary>No Redis: each coordinator keeps its prefix index in process and finds engines over HTTP.</summary>
    None,
}
