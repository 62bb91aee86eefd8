using Mesh.Contracts.OpenAI;
using Mesh.Contracts.Security;
using Mesh.Contracts.Telemetry;
using Microsoft.AspNetCore.Http;

namespace Mesh.Contracts.Http;

/// <summary>
/// Lets an operation through only with <c>x-mesh-admin-key</c> (derived from the mesh secret, compared in constant time)
/// when the service has a mesh secret; otherwise a 403 with an OpenAI error. Without a secret (a service run on its own,
/// for development) everyone is let through, as for the engines' API.
/// </summary>
public sealed class AdminKeyFilter(string? adminKey) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!string.IsNullOrEmpty(adminKey) && !MeshSecret.KeyMatches(context.HttpContext.Request.Headers[MeshHeaders.AdminKey], adminKey))
        {
            return new ApiErrorResult(ApiError.Forbidden($"This operation needs the mesh's admin key in '{MeshHeaders.AdminKey}'."));
        }
        return await next(context);
    }
}
