using System.Security.Cryptography;
using System.Text;

namespace Mesh.Contracts.Security;

/// <summary>
/// The secret engines and coordinators share (<c>Mesh:Secret</c>, which the AppHost generates for each run and injects as
/// <c>Mesh__Secret</c>). It is never sent anywhere: each use gets its own key derived from it, so a key that leaks (an
/// engine's API key seen in a request) reveals neither the secret nor the other keys.
/// - heartbeats are signed with the heartbeat key, so whoever can write to Redis cannot register an engine or take one over;
/// - engines answer their API only to a caller with the engine API key (the coordinators);
/// - coordinators take operations (drain an engine, change the default policy) only with the admin key (the AppHost's commands).
/// Without a secret (a standalone engine or coordinator, for development) neither is checked.
/// </summary>
public static class MeshSecret
{
    public const string ConfigurationKey = "Mesh:Secret";

    private const string HeartbeatPurpose = "mesh/heartbeat/v1";
    private const string EngineApiPurpose = "mesh/engine-api/v1";
    private const string AdminPurpose = "mesh/admin/v1";

    public static byte[] HeartbeatKey(string secret) => Derive(secret, HeartbeatPurpose);

    /// <summary>The bearer token an engine requires on its API.</summary>
    public static string EngineApiKey(string secret) => Convert.ToHexStringLower(Derive(secret, EngineApiPurpose));

    /// <summary>The key a coordinator's operations require (<c>x-mesh-admin-key</c>).</summary>
    public static string AdminKey(string secret) => Convert.ToHexStringLower(Derive(secret, AdminPurpose));

    /// <summary>Compares a presented key with the expected one in constant time.</summary>
    public static bool KeyMatches(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented.Trim()), Encoding.UTF8.GetBytes(expected));

    /// <summary>Compares a presented bearer token with the expected one in constant time.</summary>
    public static bool BearerMatches(string? authorization, string expectedToken)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(expectedToken));
    }

    private static byte[] Derive(string secret, string purpose) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(purpose));
}
