using Mesh.Dashboard.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Mesh.Dashboard.Authentication;

/// <summary>
/// The browser's login: <c>/login?t=TOKEN</c> sets an auth cookie; without it a page redirects to the login page and
/// an API call (or the Blazor circuit) gets 401. In unsecured mode every request is let through.
/// </summary>
internal static class BrowserTokenAuthentication
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = ".Mesh.Dashboard.Login";
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";

    public static IServiceCollection AddBrowserTokenAuthentication(this IServiceCollection services, DashboardOptions options)
    {
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(keys =>
        {
            keys.XmlRepository = new InMemoryKeyRepository();
            // Keys that never leave the process need no encryption at rest.
            keys.XmlEncryptor = new NullXmlEncryptor();
        });
        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.Frontend.LoginLifetime;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = LoginPath;
            cookie.LogoutPath = LogoutPath;
            cookie.Events.OnRedirectToLogin = context =>
            {
                if (IsApiRequest(context.Request))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                return Task.CompletedTask;
            };
        });
        services.AddAuthorization(authorization =>
        {
            if (!options.UnsecuredAllowAnonymous)
            {
                // Every endpoint without its own policy (pages, the Blazor hub, the API) needs the login cookie.
                authorization.FallbackPolicy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();
            }
        });
        return services;
    }

    /// <summary>Requests a script makes, which get a status code instead of a redirect to an HTML page.</summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        || request.Path.StartsWithSegments("/_blazor")
        || request.Headers.Accept.Any(accept => accept is not null && accept.Contains("application/json", StringComparison.OrdinalIgnoreCase));

    public static Task SignInAsync(HttpContext context) =>
        context.SignInAsync(Scheme, new System.Security.Claims.ClaimsPrincipal(
            new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "dashboard-user")], Scheme)),
            new AuthenticationProperties { IsPersistent = true });
}
