using Mesh.Contracts.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Contracts.Http;

/// <summary>
/// Makes every failure an OpenAI-style error body: an unhandled exception is a 500 without a stack trace, and
/// an unknown route or method is a 404 or 405 with a body that says so.
/// </summary>
public static class OpenAIErrorHandling
{
    public static WebApplication UseOpenAIErrors(this WebApplication app, Action<HttpContext, Exception?>? onInternalError = null)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            onInternalError?.Invoke(context, exception);
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Errors");
            logger.LogError(exception, "Unhandled error on {Method} {Path}.", context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                await ApiErrorResult.WriteAsync(context.Response, ApiError.Internal("The server had an error while processing your request."), context.RequestAborted);
            }
        }));
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var error = context.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiError.NotFound($"Unknown request URL: {context.Request.Method} {context.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => new ApiError(405, new OpenAIError(
                    $"Method {context.Request.Method} is not allowed for {context.Request.Path}.", "invalid_request_error", null, "method_not_allowed")),
                _ => null,
            };
            if (error is not null)
            {
                await ApiErrorResult.WriteAsync(context.Response, error, context.RequestAborted);
            }
        });
        return app;
    }
}
