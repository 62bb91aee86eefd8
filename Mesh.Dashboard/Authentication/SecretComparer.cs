using System.Security.Cryptography;
using System.Text;

namespace Mesh.Dashboard.Authentication;

/// <summary>Compares a presented secret with the expected one in time that does not depend on where they differ.</summary>
internal static class SecretComparer
{
    public static bool Matches(string? presented, string? expected)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
        {
            return false;
        }
        // Hashing first gives equal lengths, so the comparison does not reveal the secret's length either.
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(expected));
        return CryptographicOperations.FixedTimeEquals(presentedHash, expectedHash);
    }
}
