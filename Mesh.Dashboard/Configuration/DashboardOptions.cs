namespace Mesh.Dashboard.Configuration;

/// <summary>
/// The dashboard's settings, bound from the <c>Dashboard:</c> section (<c>DASHBOARD__X__Y</c> environment variables,
/// <c>--Dashboard:X:Y=</c> arguments) plus Aspire's own environment names (see <see cref="AspireEnvironmentAliases"/>).
/// </summary>
internal sealed class DashboardOptions
{
    public const string Section = "Dashboard";

    /// <summary>Lets anyone open the UI and send OTLP without a token or key. Only by explicit opt-in.</summary>
    public bool UnsecuredAllowAnonymous { get; set; }

    public FrontendOptions Frontend { get; set; } = new();

    public OtlpOptions Otlp { get; set; } = new();

    public ResourceServiceClientOptions ResourceServiceClient { get; set; } = new();
}
