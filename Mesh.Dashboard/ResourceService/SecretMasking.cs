namespace Mesh.Dashboard.ResourceService;

/// <summary>
/// Hides secret values in an environment listing. The orchestrator masks them already; this is the second line, for
/// variables whose names say they hold a secret or whose values embed a password.
/// </summary>
internal static class SecretMasking
{
    public const string Mask = "••••••••";

    private static readonly string[] SecretNameParts = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "CREDENTIAL", "CONNECTIONSTRING", "HEADERS"];

    public static bool LooksSecret(string name, string value) =>
        SecretNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase))
        || value.Contains("password=", StringComparison.OrdinalIgnoreCase);

    public static string Display(string name, string value) =>
        value.Length == 0 || value.All(c => c is '*' or '•') || !LooksSecret(name, value) ? value : Mask;
}
