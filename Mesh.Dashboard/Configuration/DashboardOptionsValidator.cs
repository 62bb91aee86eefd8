using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Configuration;

/// <summary>
/// Refuses a dashboard that would be open to anyone by accident (no browser token or OTLP key without the explicit
/// opt-out), and endpoint URLs that cannot be served.
/// </summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        if (!options.UnsecuredAllowAnonymous)
        {
            if (string.IsNullOrWhiteSpace(options.Frontend.BrowserToken))
            {
                failures.Add("No browser token is set: set Dashboard:Frontend:BrowserToken (env DASHBOARD__FRONTEND__BROWSERTOKEN) "
                    + "to the token the AppHost prints, or run without authentication by setting DASHBOARD__UNSECUREDALLOWANONYMOUS=true "
                    + "(or DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true).");
            }
            if (string.IsNullOrWhiteSpace(options.Otlp.PrimaryApiKey))
            {
                failures.Add("No OTLP API key is set: set Dashboard:Otlp:PrimaryApiKey (env DASHBOARD__OTLP__PRIMARYAPIKEY) to the key "
                    + "the services send in x-otlp-api-key, or opt out with DASHBOARD__UNSECUREDALLOWANONYMOUS=true.");
            }
        }

        var ports = new List<(string Setting, int Port)>();
        CheckUrls("Dashboard:Frontend:EndpointUrls (ASPNETCORE_URLS)", options.Frontend.EndpointUrls, allowMany: true, ports, failures);
        CheckUrls("Dashboard:Otlp:GrpcEndpointUrl (DOTNET_DASHBOARD_OTLP_ENDPOINT_URL)", options.Otlp.GrpcEndpointUrl, allowMany: false, ports, failures);
        CheckUrls("Dashboard:Otlp:HttpEndpointUrl (DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL)", options.Otlp.HttpEndpointUrl, allowMany: false, ports, failures);
        foreach (var clash in ports.Where(entry => entry.Port != 0).GroupBy(entry => entry.Port).Where(group => group.Select(e => e.Setting).Distinct().Count() > 1))
        {
            failures.Add($"Port {clash.Key} is used by more than one endpoint ({string.Join(", ", clash.Select(e => e.Setting).Distinct())}); "
                + "the UI, OTLP/gRPC and OTLP/HTTP each need their own port.");
        }

        if (options.Otlp.MaxRequestBodyBytes is < 1024 or > 1024 * 1024 * 1024)
        {
            failures.Add("Dashboard:Otlp:MaxRequestBodyBytes must be between 1 KiB and 1 GiB.");
        }

        var resourceService = options.ResourceServiceClient;
        if (!string.IsNullOrWhiteSpace(resourceService.Url)
            && (!Uri.TryCreate(resourceService.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"Dashboard:ResourceServiceClient:Url '{resourceService.Url}' is not an http:// or https:// URL.");
        }
        if (resourceService.PollInterval < TimeSpan.FromMilliseconds(100) || resourceService.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Dashboard:ResourceServiceClient:PollInterval must be at least 100 ms and RequestTimeout positive.");
        }
        if (options.Frontend.LoginLifetime <= TimeSpan.Zero)
        {
            failures.Add("Dashboard:Frontend:LoginLifetime must be positive.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUrls(string setting, string? urls, bool allowMany, List<(string, int)> ports, List<string> failures)
    {
        var entries = (urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Length == 0 || (!allowMany && entries.Length > 1))
        {
            failures.Add($"{setting} must be {(allowMany ? "one or more URLs separated by ';'" : "one URL")}, e.g. http://127.0.0.1:18888.");
            return;
        }
        foreach (var entry in entries)
        {
            if (ListenAddress.TryParse(entry, out var address, out var error))
            {
                ports.Add((setting, address.Port));
            }
            else
            {
                failures.Add($"{setting}: {error}.");
            }
        }
    }
}
