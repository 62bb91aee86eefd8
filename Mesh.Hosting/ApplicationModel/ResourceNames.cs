using System.Text.RegularExpressions;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>Resource names (lowercase letters, digits, dashes) and replica names (<c>&lt;name&gt;-&lt;8 lowercase letters&gt;</c>).</summary>
public static partial class ResourceNames
{
    public static string Validate(string name) =>
        NamePattern().IsMatch(name) ? name : throw new ArgumentException($"'{name}' is not a resource name: use lowercase letters, digits and dashes.", nameof(name));

    public static string Replica(string resource) =>
        resource + "-" + string.Create(8, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + System.Security.Cryptography.RandomNumberGenerator.GetInt32(26));
            }
        });

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}
