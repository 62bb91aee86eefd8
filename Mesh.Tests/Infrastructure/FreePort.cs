namespace Mesh.Tests.Infrastructure;

/// <summary>A loopback port that is free at this moment, for a URL a test must know before the app starts.</summary>
public static class FreePort
{
    public static int Next() => global::Aspire.Hosting.MeshRedisBuilderExtensions.FreeLoopbackPort();
}
