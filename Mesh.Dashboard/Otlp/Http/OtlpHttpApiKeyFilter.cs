using Mesh.Dashboard.Configuration;

namespace Mesh.Dashboard.Otlp.Http;

/// <summary>Answers 401 to an OTLP/HTTP export without a valid <c>x-otlp-api-key</c> header, before its body is read.</summary>
internal sealed class OtlpHttpApiKeyFilter(OtlpApiKeyAuthenticator authenticator) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[OtlpOptions.ApiKeyHeaderName].ToString();
        return authenticator.IsAuthorized(presented)
            ? next(context)
            : ValueTask.FromResult<object?>(Results.Unauthorized());
    }
}
