using System.Text.RegularExpressions;

namespace Mesh.Contracts.Resources;

/// <summary>
/// The one rule for hiding secrets in an environment listing, used by the orchestrator before a snapshot leaves it and
/// by the dashboard before it shows one: a variable whose name says it holds a secret is masked whole, and a password
/// inside a connection string is masked in place. Masking a masked value changes nothing.
/// </summary>
public static partial class SecretMasking
{
    public const string Mask = "********";

    public static string Apply(string name, string value)
    {
        if (value.Length == 0)
        {
            return value;
        }
        return SecretName().IsMatch(name) ? Mask : PasswordPart().Replace(value, "$1" + Mask);
    }

    [GeneratedRegex("KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|HEADERS", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex("(password=)[^,;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();
}
