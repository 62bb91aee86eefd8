using System.Text.Json;

namespace Mesh.Contracts.OpenAI;

/// <summary>
/// Writes OpenAI response bodies and stream chunks with <see cref="Utf8JsonWriter"/>, so the streaming path
/// serializes each token without reflection or intermediate objects. The engine and the coordinator both
/// answer through it, so clients see one format whichever served them.
/// </summary>
public static class OpenAIResponseWriter
{
    /// <summary>Text is written as it is (no \u0027 for an apostrophe), as OpenAI's own responses are; the bodies are JSON, never HTML.</summary>
    public static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>Writes a stream chunk. <paramref name="text"/> is the delta; <paramref name="tokenIds"/> go to <c>mesh.token_ids</c> when not empty.</summary>
    public static void WriteChunk(
        Utf8JsonWriter writer,
        in CompletionHeader header,
        ReadOnlySpan<char> text,
        bool withRole,
        string? finishReason,
        ReadOnlySpan<int> tokenIds)
    {
        var maxBytes = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var utf8 = maxBytes <= 1024 ? stackalloc byte[maxBytes] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(maxBytes));
        var length = System.Text.Encoding.UTF8.GetBytes(text, utf8);
        WriteChunk(writer, header, utf8[..length], withRole, finishReason, tokenIds);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes a stream chunk whose delta is given as UTF-8 (the coordinator relays engine text without decoding it to strings).</summary>
    public static void WriteChunk(
        Utf8JsonWriter writer,
        in CompletionHeader header,
        ReadOnlySpan<byte> text,
        bool withRole,
        string? finishReason,
        ReadOnlySpan<int> tokenIds,
        Action<Utf8JsonWriter>? meshExtension = null)
    {
        WriteStart(writer, header, header.ChunkObjectName);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        if (header.Kind == CompletionKind.Chat)
        {
            writer.WriteStartObject("delta"u8);
            if (withRole)
            {
                writer.WriteString("role"u8, "assistant"u8);
            }
            if (!text.IsEmpty || withRole)
            {
                writer.WriteString("content"u8, text);
            }
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text"u8, text);
            writer.WriteNull("logprobs"u8);
        }
        WriteFinishReason(writer, finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        if (!tokenIds.IsEmpty || meshExtension is not null)
        {
            writer.WriteStartObject("mesh"u8);
            if (!tokenIds.IsEmpty)
            {
                WriteTokenIds(writer, tokenIds);
            }
            meshExtension?.Invoke(writer);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    /// <summary>The last chunk of a stream that asked for <c>stream_options.include_usage</c>: no choices, just usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter writer, in CompletionHeader header, Usage usage, Action<Utf8JsonWriter>? meshExtension = null)
    {
        WriteStart(writer, header, header.ChunkObjectName);
        writer.WriteStartArray("choices"u8);
        writer.WriteEndArray();
        WriteUsage(writer, usage);
        WriteExtension(writer, meshExtension);
        writer.WriteEndObject();
    }

    /// <summary>A whole, non-streamed response.</summary>
    public static void WriteCompletion(
        Utf8JsonWriter writer,
        in CompletionHeader header,
        ReadOnlySpan<byte> text,
        string finishReason,
        Usage usage,
        Action<Utf8JsonWriter>? meshExtension = null)
    {
        WriteStart(writer, header, header.ObjectName);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteNumber("index"u8, 0);
        if (header.Kind == CompletionKind.Chat)
        {
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            writer.WriteString("content"u8, text);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text"u8, text);
            writer.WriteNull("logprobs"u8);
        }
        WriteFinishReason(writer, finishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, usage);
        WriteExtension(writer, meshExtension);
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, OpenAIError error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, error.Message);
        writer.WriteString("type"u8, error.Type);
        writer.WriteString("param"u8, error.Param);
        writer.WriteString("code"u8, error.Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteTokenIds(Utf8JsonWriter writer, ReadOnlySpan<int> tokenIds)
    {
        writer.WriteStartArray("token_ids"u8);
        foreach (var id in tokenIds)
        {
            writer.WriteNumberValue(id);
        }
        writer.WriteEndArray();
    }

    private static void WriteStart(Utf8JsonWriter writer, in CompletionHeader header, string objectName)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, header.Id);
        writer.WriteString("object"u8, objectName);
        writer.WriteNumber("created"u8, header.Created);
        writer.WriteString("model"u8, header.Model);
    }

    private static void WriteFinishReason(Utf8JsonWriter writer, string? finishReason)
    {
        if (finishReason is null)
        {
            writer.WriteNull("finish_reason"u8);
        }
        else
        {
            writer.WriteString("finish_reason"u8, finishReason);
        }
    }

    private static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CachedTokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteExtension(Utf8JsonWriter writer, Action<Utf8JsonWriter>? meshExtension)
    {
        if (meshExtension is null)
        {
            return;
        }
        writer.WriteStartObject("mesh"u8);
        meshExtension(writer);
        writer.WriteEndObject();
    }
}
