using Mesh.Dashboard.Configuration;
using Mesh.Contracts.Http;

namespace Mesh.Dashboard.Otlp.Http;

/// <summary>Answers 401 to an OTLP/HTTP export without a valid <c>x-otlp-api-key</c> header, before its body is read.</summary>
internal sealed class OtlpHttpApiKeyFilter(OtlpApiKeyAuthenticator authenticator) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[DashboardHeaders.OtlpApiKey].ToString();
        return authenticator.IsAuthorized(presented)
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Unauthorized());
    }
}
