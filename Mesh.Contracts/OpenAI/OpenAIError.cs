using System.Text.Json.Serialization;

namespace Mesh.Contracts.OpenAI;

/// <summary>The body of every error the mesh returns: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] OpenAIError Error);

public sealed record OpenAIError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

/// <summary>An error with the HTTP status it is answered with.</summary>
public sealed record ApiError(int StatusCode, OpenAIError Error, TimeSpan? RetryAfter = null)
{
    public static ApiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(400, new OpenAIError(message, "invalid_request_error", param, code));

    public static ApiError ContextLengthExceeded(string message, string param) =>
        new(400, new OpenAIError(message, "invalid_request_error", param, "context_length_exceeded"));

    public static ApiError Unauthorized() =>
        new(401, new OpenAIError("Missing or invalid API key. Send 'Authorization: Bearer <key>'.", "authentication_error", null, "invalid_api_key"));

    public static ApiError Forbidden(string message) =>
        new(403, new OpenAIError(message, "permission_error", null, "forbidden"));

    public static ApiError ModelNotFound(string model) =>
        new(404, new OpenAIError($"The model '{model}' does not exist or is not served here.", "invalid_request_error", "model", "model_not_found"));

    public static ApiError NotFound(string message) =>
        new(404, new OpenAIError(message, "invalid_request_error", null, "not_found"));

    public static ApiError PayloadTooLarge(long limitBytes) =>
        new(413, new OpenAIError($"The request body exceeds the limit of {limitBytes} bytes.", "invalid_request_error", null, "request_too_large"));

    public static ApiError TooManyRequests(string message, TimeSpan retryAfter) =>
        new(429, new OpenAIError(message, "rate_limit_error", null, "rate_limit_exceeded"), retryAfter);

    public static ApiError ServiceUnavailable(string message, TimeSpan retryAfter) =>
        new(503, new OpenAIError(message, "server_error", null, "service_unavailable"), retryAfter);

    public static ApiError Internal(string message) =>
        new(500, new OpenAIError(message, "server_error", null, "internal_error"));

    public ErrorResponse Body => new(Error);
}
