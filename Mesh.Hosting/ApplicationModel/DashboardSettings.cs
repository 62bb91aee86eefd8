namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Where the dashboard listens (Aspire's ports by default) and the secrets that guard it: the browser token
/// printed by the AppHost and the API key every exporter sends.
/// </summary>
public sealed class DashboardSettings
{
    public int UiPort { get; set; } = 18888;

    public int OtlpGrpcPort { get; set; } = 18889;

    public int OtlpHttpPort { get; set; } = 18890;

    public string BrowserToken { get; set; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string OtlpApiKey { get; set; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public string UiUrl => $"http://127.0.0.1:{UiPort}";

    public string LoginUrl => $"{UiUrl}/login?t={BrowserToken}";

    public string OtlpGrpcUrl => $"http://127.0.0.1:{OtlpGrpcPort}";

    public string OtlpHttpUrl => $"http://127.0.0.1:{OtlpHttpPort}";
}
