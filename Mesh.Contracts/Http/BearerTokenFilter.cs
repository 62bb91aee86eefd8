using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Security;
using Microsoft.AspNetCore.Http;

namespace Mesh.Contracts.Http;

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer &lt;token&gt;</c> (compared in constant time) when a token is
/// set; otherwise a 401 with an OpenAI error and <c>WWW-Authenticate: Bearer</c>. No token: everyone is let through.
/// </summary>
public sealed class BearerTokenFilter(string? token) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!string.IsNullOrEmpty(token) && !MeshSecret.BearerMatches(context.HttpContext.Request.Headers.Authorization, token))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return new ApiErrorResult(ApiError.Unauthorized());
        }
        return await next(context);
    }
}
