namespace Mesh.Contracts.OpenAI;

/// <summary>
/// The checks every Mesh endpoint makes on a request body before any work is done, so the coordinator and
/// the engine reject the same requests with the same errors.
/// </summary>
public static class RequestValidator
{
    public const int MaxStopSequences = 4;

    public static ApiError? Validate(ChatCompletionRequest request)
    {
        if (request.Messages is null)
        {
            return ApiError.InvalidRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        }
        if (request.Messages.Count == 0)
        {
            return ApiError.InvalidRequest("'messages' must contain at least one message.", "messages");
        }
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (message is null)
            {
                return ApiError.InvalidRequest($"'messages[{i}]' must be an object.", $"messages[{i}]");
            }
            if (message.Role is null)
            {
                return ApiError.InvalidRequest($"Missing required parameter: 'messages[{i}].role'.", $"messages[{i}].role", "missing_required_parameter");
            }
            if (!Tokenization.ChatTemplate.IsKnownRole(message.Role))
            {
                return ApiError.InvalidRequest(
                    $"Invalid value for 'messages[{i}].role': '{message.Role}'. Supported values are: {string.Join(", ", Tokenization.ChatTemplate.Roles.Select(r => $"'{r}'"))}.",
                    $"messages[{i}].role", "invalid_value");
            }
            if (message.Content is null && message.Role is not ("assistant" or "function"))
            {
                return ApiError.InvalidRequest($"Missing required parameter: 'messages[{i}].content'.", $"messages[{i}].content", "missing_required_parameter");
            }
        }
        return ValidateCommon(request);
    }

    public static ApiError? Validate(CompletionRequest request)
    {
        if (request.Prompt is null || (request.Prompt.Text is null && request.Prompt.TokenIds is null))
        {
            return ApiError.InvalidRequest("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter");
        }
        if (request.Prompt.Text is { Length: 0 })
        {
            return ApiError.InvalidRequest("'prompt' must not be empty.", "prompt");
        }
        if (request.Prompt.TokenIds is { } ids)
        {
            if (ids.Length == 0)
            {
                return ApiError.InvalidRequest("'prompt' must not be empty.", "prompt");
            }
            foreach (var id in ids)
            {
                if (!Tokenization.MeshTokenizer.IsAssigned(id))
                {
                    return ApiError.InvalidRequest($"Token id {id} in 'prompt' is not in the vocabulary.", "prompt", "invalid_value");
                }
            }
        }
        return ValidateCommon(request);
    }

    private static ApiError? ValidateCommon(GenerationRequest request)
    {
        if (request.MaxTokens is <= 0)
        {
            return ApiError.InvalidRequest($"Invalid 'max_tokens': {request.MaxTokens}. It must be at least 1.", "max_tokens", "invalid_value");
        }
        if (request.MaxCompletionTokens is <= 0)
        {
            return ApiError.InvalidRequest($"Invalid 'max_completion_tokens': {request.MaxCompletionTokens}. It must be at least 1.", "max_completion_tokens", "invalid_value");
        }
        if (request.Temperature is { } temperature && (float.IsNaN(temperature) || temperature is < 0 or > 2))
        {
            return ApiError.InvalidRequest($"Invalid 'temperature': {temperature}. It must be between 0 and 2.", "temperature", "invalid_value");
        }
        if (request.TopP is { } topP && (float.IsNaN(topP) || topP is <= 0 or > 1))
        {
            return ApiError.InvalidRequest($"Invalid 'top_p': {topP}. It must be greater than 0 and at most 1.", "top_p", "invalid_value");
        }
        if (request.N is { } n && n != 1)
        {
            return ApiError.InvalidRequest($"Invalid 'n': {n}. Only n = 1 is supported.", "n", "invalid_value");
        }
        if (request.StreamOptions is not null && !request.Stream)
        {
            return ApiError.InvalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "invalid_value");
        }
        if (request.Stop is { } stop)
        {
            if (stop.Length > MaxStopSequences)
            {
                return ApiError.InvalidRequest($"'stop' takes at most {MaxStopSequences} sequences.", "stop", "invalid_value");
            }
            if (stop.Any(string.IsNullOrEmpty))
            {
                return ApiError.InvalidRequest("'stop' sequences must not be empty.", "stop", "invalid_value");
            }
        }
        return null;
    }

    /// <summary>
    /// The completion length a request gets, or the error when its prompt (plus the length it asked for)
    /// does not fit the context window.
    /// </summary>
    public static ApiError? ResolveMaxTokens(GenerationRequest request, int promptTokens, int contextWindow, int defaultMaxTokens, out int maxTokens)
    {
        maxTokens = 0;
        var promptParam = request is ChatCompletionRequest ? "messages" : "prompt";
        if (promptTokens == 0)
        {
            return ApiError.InvalidRequest($"The {promptParam} must not be empty: it resulted in no tokens.", promptParam);
        }
        if (promptTokens >= contextWindow)
        {
            return ApiError.ContextLengthExceeded(
                $"This model's maximum context length is {contextWindow} tokens. However, your {promptParam} resulted in {promptTokens} tokens, which leaves no room for a completion.",
                promptParam);
        }
        if (request.RequestedMaxTokens is { } requested)
        {
            // In long arithmetic: a max_tokens near int.MaxValue must not wrap around and pass.
            var total = (long)promptTokens + requested;
            if (total > contextWindow)
            {
                var param = request.MaxCompletionTokens is not null ? "max_completion_tokens" : "max_tokens";
                return ApiError.ContextLengthExceeded(
                    $"This model's maximum context length is {contextWindow} tokens. However, you requested {total} tokens ({promptTokens} in the {promptParam}, {requested} for the completion).",
                    param);
            }
            maxTokens = requested;
            return null;
        }
        maxTokens = Math.Min(defaultMaxTokens, contextWindow - promptTokens);
        return null;
    }
}
