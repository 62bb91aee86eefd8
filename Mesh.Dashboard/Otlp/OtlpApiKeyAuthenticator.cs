using Mesh.Dashboard.Authentication;
using Mesh.Dashboard.Configuration;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Otlp;

/// <summary>Checks the <c>x-otlp-api-key</c> a service presents, on both transports, against the configured keys.</summary>
internal sealed class OtlpApiKeyAuthenticator(IOptions<DashboardOptions> options)
{
    public bool IsAuthorized(string? presentedKey)
    {
        var otlp = options.Value.Otlp;
        if (string.IsNullOrEmpty(otlp.PrimaryApiKey) && string.IsNullOrEmpty(otlp.SecondaryApiKey))
        {
            // Validation allows no key only in unsecured mode.
            return options.Value.UnsecuredAllowAnonymous;
        }
        return SecretComparer.Matches(presentedKey, otlp.PrimaryApiKey) || SecretComparer.Matches(presentedKey, otlp.SecondaryApiKey);
    }
}
