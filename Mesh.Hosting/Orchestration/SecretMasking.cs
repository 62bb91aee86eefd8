using System.Text.RegularExpressions;

namespace Mesh.Hosting.Orchestration;

/// <summary>Masks secret values of an environment for display: keys, tokens, passwords, and the password inside a connection string.</summary>
internal static partial class SecretMasking
{
    private const string Mask = "********";

    public static string Value(string name, string value)
    {
        if (SecretName().IsMatch(name))
        {
            return Mask;
        }
        return PasswordPart().Replace(value, "$1" + Mask);
    }

    [GeneratedRegex("(KEY|TOKEN|SECRET|PASSWORD|HEADERS)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("(password=)[^,;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();
}
