namespace Mesh.Contracts.Tokenization;

/// <summary>
/// The mesh's chat template. Each message becomes
/// <c>encode("&lt;|{role}|&gt;\n") ++ encode(content) ++ [&lt;|endofprompt|&gt;]</c>, and the prompt ends with
/// <c>encode("&lt;|assistant|&gt;\n")</c>, the generation prompt.
/// </summary>
/// <remarks>
/// Every piece is tokenized on its own and the ids are concatenated, never the rendered text as a whole:
/// byte-pair merges can then never cross a message boundary, so a conversation's earlier messages yield
/// the same ids (and the same cached KV blocks) whatever follows them.
/// </remarks>
public static class ChatTemplate
{
    /// <summary>The roles of the OpenAI API. <c>developer</c> is the newer name of <c>system</c>; <c>tool</c> and <c>function</c>
    /// messages are only for backends with tools (a Mesh engine refuses them).</summary>
    public static readonly IReadOnlyList<string> Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    public static bool IsKnownRole(string role) => role is "system" or "developer" or "user" or "assistant" or "tool" or "function";

    public static int[] Render(MeshTokenizer tokenizer, IEnumerable<(string Role, string Content)> messages)
    {
        var ids = new List<int>(256);
        foreach (var (role, content) in messages)
        {
            tokenizer.EncodeInto(Header(role), ids);
            tokenizer.EncodeInto(content, ids);
            ids.Add(MeshTokenizer.EndOfPromptId);
        }
        tokenizer.EncodeInto(Header("assistant"), ids);
        return [.. ids];
    }

    private static string Header(string role) => role switch
    {
        "system" or "developer" => "<|system|>\n",
        "user" => "<|user|>\n",
        "assistant" => "<|assistant|>\n",
        "tool" or "function" => "<|tool|>\n",
        _ => throw new ArgumentException($"Unknown role '{role}'.", nameof(role)),
    };
}
