using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Mesh.Contracts.Security;

namespace Mesh.Contracts.Registry;

/// <summary>
/// Signs and verifies heartbeats with the key derived from the mesh secret. A signed heartbeat, as stored in its key and
/// published on the channel, is <c>v1.&lt;HMAC-SHA256 of the JSON, hex&gt;.&lt;JSON&gt;</c>: the signature covers every byte
/// the coordinator will read (id, epoch, URL, tier, load and send time), and it is checked before the JSON is parsed.
/// Without a secret heartbeats are plain JSON and nothing is checked.
/// </summary>
public sealed class HeartbeatSigner
{
    private const string Version = "v1.";
    private const int SignatureHexLength = 64;

    private readonly byte[]? _key;

    public HeartbeatSigner(string? secret) => _key = string.IsNullOrEmpty(secret) ? null : MeshSecret.HeartbeatKey(secret);

    public bool Enabled => _key is not null;

    public string Sign(string json) =>
        _key is null ? json : Version + Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(json))) + "." + json;

    /// <summary>The JSON of a heartbeat whose signature holds; false (and why) for anything else.</summary>
    public bool TryVerify(string value, out string json, out string failure)
    {
        json = string.Empty;
        if (_key is null)
        {
            json = value;
            failure = string.Empty;
            return true;
        }
        if (!value.StartsWith(Version, StringComparison.Ordinal) || value.Length < Version.Length + SignatureHexLength + 1
            || value[Version.Length + SignatureHexLength] != '.')
        {
            failure = "unsigned";
            return false;
        }
        var body = value[(Version.Length + SignatureHexLength + 1)..];
        Span<byte> presented = stackalloc byte[32];
        if (Convert.FromHexString(value.AsSpan(Version.Length, SignatureHexLength), presented, out _, out var written) != OperationStatus.Done || written != 32
            || !CryptographicOperations.FixedTimeEquals(presented, HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body))))
        {
            failure = "bad signature";
            return false;
        }
        json = body;
        failure = string.Empty;
        return true;
    }
}
