using Mesh.Dashboard.Configuration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mesh.Dashboard.Authentication;

/// <summary><c>GET /login?t=TOKEN</c> logs a browser in and goes on to the page it asked for; <c>POST /logout</c> logs it out.</summary>
internal static class LoginEndpoints
{
    public const string TokenQueryParameter = "t";

    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(BrowserTokenAuthentication.LoginPath,
                (HttpContext context, IOptions<DashboardOptions> options, LoginThrottle throttle, ILoggerFactory loggers) => LoginAsync(context, options, throttle, loggers))
            .AllowAnonymous().ExcludeFromDescription();
        endpoints.MapPost(BrowserTokenAuthentication.LogoutPath, LogoutAsync)
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IOptions<DashboardOptions> options, LoginThrottle throttle, ILoggerFactory loggers)
    {
        var returnUrl = LocalReturnUrl(context.Request.Query["ReturnUrl"]);
        if (options.Value.UnsecuredAllowAnonymous)
        {
            return Results.Redirect(returnUrl);
        }
        var token = context.Request.Query[TokenQueryParameter].ToString();
        if (string.IsNullOrEmpty(token) && context.User.Identity?.IsAuthenticated == true)
        {
            return Results.Redirect(returnUrl);
        }
        if (!string.IsNullOrEmpty(token) && throttle.LockedOutFor(context.Connection.RemoteIpAddress) is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Text("Too many login attempts from this address; try again in a minute.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        if (SecretComparer.Matches(token, options.Value.Frontend.BrowserToken))
        {
            await BrowserTokenAuthentication.SignInAsync(context);
            return Results.Redirect(returnUrl);
        }
        if (!string.IsNullOrEmpty(token))
        {
            throttle.Failed(context.Connection.RemoteIpAddress);
            loggers.CreateLogger(typeof(LoginEndpoints)).LogWarning("A login with a wrong browser token was refused.");
        }
        return new LoginPageResult(returnUrl, wrongToken: !string.IsNullOrEmpty(token));
    }

    private static async Task LogoutAsync(HttpContext context)
    {
        await context.SignOutAsync(BrowserTokenAuthentication.Scheme);
        context.Response.Redirect(BrowserTokenAuthentication.LoginPath);
    }

    /// <summary>
    /// Only a path on this site, so a crafted link cannot send a fresh login elsewhere: it starts with one slash, and
    /// holds no backslash, control character or whitespace (a browser drops a tab or newline from <c>/\t/evil.example</c>
    /// and goes to <c>//evil.example</c>).
    /// </summary>
    internal static string LocalReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/' && (returnUrl.Length == 1 || returnUrl[1] != '/')
            && !returnUrl.Any(c => c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c))
            && !returnUrl.StartsWith(BrowserTokenAuthentication.LoginPath, StringComparison.OrdinalIgnoreCase)
            ? returnUrl
            : "/";
}
