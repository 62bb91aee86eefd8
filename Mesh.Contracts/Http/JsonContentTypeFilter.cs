using Mesh.Contracts.OpenAI;
using Microsoft.AspNetCore.Http;

namespace Mesh.Contracts.Http;

/// <summary>
/// A request with a body must say it is JSON (<c>Content-Type: application/json</c>, any charset), else 415. A browser
/// page from another origin can send a plain-text or form body without asking first; a JSON body needs a CORS preflight,
/// which this service only answers when origins are allowed explicitly.
/// </summary>
public sealed class JsonContentTypeFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (!request.HasJsonContentType())
        {
            return new ApiErrorResult(new ApiError(StatusCodes.Status415UnsupportedMediaType, new OpenAIError(
                $"Unsupported Content-Type '{request.ContentType}'. Send the body as JSON with 'Content-Type: application/json'.",
                "invalid_request_error", null, "unsupported_media_type")));
        }
        return await next(context);
    }
}
