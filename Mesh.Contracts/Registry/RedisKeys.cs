namespace Mesh.Contracts.Registry;

/// <summary>
/// The Redis key layout of the mesh, in one place.
/// <list type="table">
///   <item><term><c>mesh:engine:{id}</c></term><description>string, an engine's <see cref="EngineHeartbeat"/> as JSON;
///   written by the engine every interval with a TTL of about three intervals, deleted on graceful shutdown. Its
///   presence is what makes an engine routable.</description></item>
///   <item><term><c>mesh:heartbeats</c></term><description>pub/sub channel; each heartbeat is also published here so
///   coordinators see load changes at once.</description></item>
///   <item><term><c>mesh:prefix:{{model}}:{id}:{epoch}</c></term><description>sorted set, the prefix metadata of one engine
///   instance: member = a block hash (16 hex digits), score = the Unix milliseconds it was last used. Written by
///   coordinators; entries older than the TTL are expired, the oldest are evicted beyond the engine's capacity, and the
///   key itself expires when no coordinator touches it.</description></item>
///   <item><term><c>mesh:prefill:{{model}}:{id}:{epoch}</c></term><description>sorted set, the prefills coordinators have sent an
///   engine instance and not yet seen a first token for: member = <c>{first block hash}:{request id}:{tokens}</c>,
///   score = when it expires (milliseconds on the prefix index's clock). Written with the routing choice, removed at the
///   first token, so every coordinator sees the queue that all of them have put on the engine.</description></item>
/// </list>
/// The served model, in braces, is a Redis Cluster hash tag: the sets of every engine of one model share a slot, so the
/// lookup a routing decision makes over all of them stays one script on one node. Heartbeat keys carry no tag; they
/// are read one by one, so they spread over the cluster.
/// </summary>
public static class RedisKeys
{
    public const string EnginePrefix = "mesh:engine:";
    public const string EnginePattern = "mesh:engine:*";
    public const string HeartbeatChannel = "mesh:heartbeats";
    public const string PrefixIndexPattern = "mesh:prefix:*";

    public static string Engine(string engineId) => EnginePrefix + engineId;

    public static string PrefixIndex(string model, string engineId, long epoch) => $"mesh:prefix:{HashTag(model)}:{engineId}:{epoch}";

    public static string PendingPrefill(string model, string engineId, long epoch) => $"mesh:prefill:{HashTag(model)}:{engineId}:{epoch}";

    /// <summary>Redis Cluster hashes only what stands between the first <c>{</c> and the next <c>}</c>, so a brace in a model's name would cut the tag short.</summary>
    private static string HashTag(string model) => "{" + model.Replace('{', '(').Replace('}', ')') + "}";
}
