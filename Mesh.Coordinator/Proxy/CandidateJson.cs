using System.Buffers;
using System.Text;
using System.Text.Json;
using Mesh.Contracts.OpenAI;
using Mesh.Coordinator.Routing;

namespace Mesh.Coordinator.Proxy;

/// <summary>The candidates of a decision as the JSON array the <c>mesh.candidates</c> span attribute carries.</summary>
public static class CandidateJson
{
    public static string Write(IReadOnlyList<Candidate> ranked)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, OpenAIResponseWriter.JsonOptions))
        {
            json.WriteStartArray();
            foreach (var c in ranked)
            {
                json.WriteStartObject();
                json.WriteString("engine"u8, c.Id);
                json.WriteString("tier"u8, c.Engine.TierName);
                json.WriteNumber("score_ms"u8, Math.Round(c.ScoreMs, 3));
                json.WriteNumber("queue_ms"u8, Math.Round(c.QueueMs, 3));
                json.WriteNumber("prefill_ms"u8, Math.Round(c.PrefillMs, 3));
                json.WriteNumber("uncached_tokens"u8, c.UncachedTokens);
                json.WriteNumber("matched_blocks"u8, c.MatchedBlocks);
                json.WriteNumber("prefill_ms_per_token"u8, Math.Round(c.Engine.PrefillMsPerToken, 4));
                json.WriteNumber("load"u8, c.Engine.Load);
                json.WriteNumber("slots"u8, c.Engine.Slots);
                json.WriteBoolean("saturated"u8, c.Saturated);
                json.WriteString("circuit"u8, c.Engine.Breaker.State.ToString());
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
