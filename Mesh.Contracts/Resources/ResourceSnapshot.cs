using System.Text.Json.Serialization;

namespace Mesh.Contracts.Resources;

/// <summary>
/// The orchestrator's resource service, as the dashboard reads it (Aspire's dashboard reads the same facts
/// over gRPC; Mesh's is JSON over HTTP):
/// <list type="bullet">
///   <item><c>GET {url}/resources</c> → <see cref="ResourceSnapshot"/>[]</item>
///   <item><c>GET {url}/resources/{name}/logs?after={sequence}</c> → <see cref="ResourceLogLine"/>[] (oldest first)</item>
/// </list>
/// Requests carry <c>x-resource-service-key</c> when the orchestrator set a key.
/// </summary>
public sealed record ResourceSnapshot
{
    /// <summary>Unique: <c>coordinator</c>, <c>redis</c>, or a replica's <c>engine-abcdefgh</c>.</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>The resource it is a replica of (<c>engine</c>), or its own name.</summary>
    [JsonPropertyName("resource")] public required string Resource { get; init; }

    /// <summary><c>Project</c>, <c>Executable</c> or <c>Container</c>-like kinds such as <c>Redis</c>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>Starting, Running, Unhealthy, Exited, FailedToStart, Stopping (or Waiting before its dependencies are healthy).</summary>
    [JsonPropertyName("state")] public required string State { get; init; }

    [JsonPropertyName("healthy")] public bool Healthy { get; init; }

    [JsonPropertyName("endpoints")] public IReadOnlyList<string> Endpoints { get; init; } = [];

    [JsonPropertyName("pid")] public int? ProcessId { get; init; }

    [JsonPropertyName("restarts")] public int Restarts { get; init; }

    [JsonPropertyName("exit_code")] public int? ExitCode { get; init; }

    [JsonPropertyName("started_at")] public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The environment it was launched with; values of secrets (keys, passwords, tokens) are already masked.</summary>
    [JsonPropertyName("environment")] public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

public sealed record ResourceLogLine(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("is_error")] bool IsError,
    [property: JsonPropertyName("text")] string Text);

[JsonSerializable(typeof(ResourceSnapshot[]))]
[JsonSerializable(typeof(ResourceLogLine[]))]
public sealed partial class ResourceJsonContext : JsonSerializerContext;
