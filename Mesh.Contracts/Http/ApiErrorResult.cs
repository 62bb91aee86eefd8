using System.Globalization;
using Mesh.Contracts.OpenAI;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Mesh.Contracts.Http;

/// <summary>A typed result that answers an <see cref="ApiError"/>: its status, an OpenAI error body, and Retry-After where it applies.</summary>
public sealed class ApiErrorResult(ApiError error) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    public ApiError Error { get; } = error;

    public int? StatusCode => Error.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext.Response, Error, httpContext.RequestAborted);

    public static async Task WriteAsync(HttpResponse response, ApiError error, CancellationToken cancellationToken)
    {
        response.StatusCode = error.StatusCode;
        if (error.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(response.BodyWriter, OpenAIResponseWriter.JsonOptions);
        OpenAIResponseWriter.WriteError(json, error.Error);
        await json.FlushAsync(cancellationToken);
    }

    public static void PopulateMetadata(System.Reflection.MethodInfo method, Microsoft.AspNetCore.Builder.EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(400, typeof(ErrorResponse), ["application/json"]));
}
