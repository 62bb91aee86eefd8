namespace Mesh.Dashboard.Configuration;

/// <summary>The browser side: where the UI listens and the token that logs a browser in (<c>Dashboard:Frontend</c>).</summary>
internal sealed class FrontendOptions
{
    public const string DefaultEndpointUrls = "http://127.0.0.1:18888";

    /// <summary>Semicolon-separated URLs; taken from <c>ASPNETCORE_URLS</c> (or <c>--urls</c>) when not set here.</summary>
    public string EndpointUrls { get; set; } = DefaultEndpointUrls;

    /// <summary>The secret in <c>/login?t=</c>; the AppHost generates it and prints the login link.</summary>
    public string? BrowserToken { get; set; }

    /// <summary>How long a login lasts without a visit.</summary>
    public TimeSpan LoginLifetime { get; set; } = TimeSpan.FromDays(3);
}
