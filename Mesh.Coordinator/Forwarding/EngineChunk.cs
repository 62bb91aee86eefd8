using System.Text.Json;
using Mesh.Contracts.OpenAI;

namespace Mesh.Coordinator.Forwarding;

/// <summary>
/// One parsed stream chunk from an engine or an OpenAI-compatible backend, reused for every chunk of a stream:
/// the text delta stays UTF-8 in a growable buffer, token ids go to a list, so relaying a token allocates nothing.
/// </summary>
internal sealed class EngineChunk
{
    private byte[] _text = new byte[256];

    public int TextLength { get; private set; }

    public ReadOnlySpan<byte> Text => _text.AsSpan(0, TextLength);

    public List<int> TokenIds { get; } = new(8);

    public string? FinishReason { get; private set; }

    public Usage? Usage { get; private set; }

    public string? ErrorMessage { get; private set; }

    /// <summary>Parses one <c>data:</c> payload; false when it is not a JSON object.</summary>
    public bool TryParse(ReadOnlySpan<byte> json)
    {
        TextLength = 0;
        TokenIds.Clear();
        FinishReason = null;
        Usage = null;
        ErrorMessage = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    ReadChoices(ref reader);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    ReadUsage(ref reader);
                }
                else if (reader.ValueTextEquals("mesh"u8))
                {
                    ReadMesh(ref reader);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    ReadError(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void ReadChoices(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index++ > 0 || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    ReadDelta(ref reader);
                }
                else if (reader.ValueTextEquals("text"u8))
                {
                    reader.Read();
                    ReadText(ref reader);
                }
                else if (reader.ValueTextEquals("finish_reason"u8))
                {
                    reader.Read();
                    FinishReason = reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueTextEquals("stop"u8) ? FinishReasons.Stop
                        : reader.ValueTextEquals("length"u8) ? FinishReasons.Length
                        : reader.GetString();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private void ReadDelta(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = reader.ValueTextEquals("content"u8);
            reader.Read();
            if (isContent)
            {
                ReadText(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return;
        }
        var needed = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_text.Length < needed)
        {
            _text = new byte[Math.Max(needed, _text.Length * 2)];
        }
        TextLength = reader.CopyString(_text);
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        int prompt = 0, completion = 0, cached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                reader.TryGetInt32(out prompt);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                reader.TryGetInt32(out completion);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isCached = reader.ValueTextEquals("cached_tokens"u8);
                    reader.Read();
                    if (isCached && reader.TokenType == JsonTokenType.Number)
                    {
                        reader.TryGetInt32(out cached);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        Usage = new Usage(prompt, completion, cached);
    }

    private void ReadMesh(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTokens = reader.ValueTextEquals("token_ids"u8);
            reader.Read();
            if (isTokens && reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    TokenIds.Add(reader.GetInt32());
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadError(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            ErrorMessage = reader.GetString();
            return;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            ErrorMessage = "The backend reported an error.";
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
            {
                ErrorMessage = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
        ErrorMessage ??= "The backend reported an error.";
    }
}
