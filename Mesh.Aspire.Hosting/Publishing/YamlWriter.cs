using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Writes a JSON tree as block-style YAML. Every string is written double-quoted with JSON's escapes, which YAML reads
/// the same way, so no value (a port, "true", a secret) can change type on the way.
/// </summary>
internal static partial class YamlWriter
{
    /// <summary>Keys that read the same unquoted (names, env variables, <c>nvidia.com/gpu</c>).</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainKey();

    public static string Write(IEnumerable<JsonObject> documents) =>
        string.Join("---\n", documents.Select(document => Write(document)));

    public static string Write(JsonObject document)
    {
        var text = new StringBuilder();
        WriteMapping(text, document, 0);
        return text.ToString();
    }

    private static void WriteMapping(StringBuilder text, JsonObject mapping, int indent)
    {
        foreach (var (key, value) in mapping)
        {
            text.Append(' ', indent).Append(PlainKey().IsMatch(key) ? key : Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } mapping:
                text.Append('\n');
                WriteMapping(text, mapping, indent + 2);
                break;
            case JsonObject:
                text.Append(" {}\n");
                break;
            case JsonArray { Count: > 0 } sequence:
                text.Append('\n');
                foreach (var item in sequence)
                {
                    text.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } itemMapping)
                    {
                        // The first key goes on the dash's line; the rest align under it.
                        var nested = new StringBuilder();
                        WriteMapping(nested, itemMapping, indent + 2);
                        text.Append(nested.ToString(indent + 2, nested.Length - indent - 2));
                    }
                    else
                    {
                        var nested = new StringBuilder();
                        WriteValue(nested, item, indent + 2);
                        text.Append(nested.ToString().TrimStart());
                    }
                }
                break;
            case JsonArray:
                text.Append(" []\n");
                break;
            default:
                text.Append(' ').Append(value is null ? "null" : Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(string text) => JsonSerializer.Serialize(text, PublishJsonContext.Default.String);

    private static string Scalar(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.String ? Scalar(value.GetValue<string>()) : value.ToJsonString();
}
