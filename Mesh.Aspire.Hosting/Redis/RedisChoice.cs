namespace Mesh.Aspire.Hosting.Redis;

/// <summary>The Redis the mesh will use, and why: the AppHost announces it in one line.</summary>
public sealed record RedisChoice(RedisMode Mode, string Reason);
