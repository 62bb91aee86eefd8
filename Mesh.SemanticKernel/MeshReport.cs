using System.Globalization;
using Mesh.Contracts.Telemetry;

namespace Mesh.SemanticKernel;

/// <summary>
/// Why a request went where it went and what it cost, as the coordinator reports it in the headers of its answer. Each
/// result's metadata carries it under the <c>mesh.*</c> keys of <see cref="MeshMetadataKeys"/>.
/// </summary>
public sealed record MeshReport(string? RequestId, string? Engine, string? Tier, string? Reason, int? CachedTokens, double? TimeToFirstTokenMs)
{
    internal static MeshReport From(HttpResponseMessage response)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        return new MeshReport(
            Header(MeshHeaders.RequestId),
            Header(MeshHeaders.Engine),
            Header(MeshHeaders.Tier),
            Header(MeshHeaders.Reason),
            int.TryParse(Header(MeshHeaders.CachedTokens), CultureInfo.InvariantCulture, out var cached) ? cached : null,
            double.TryParse(Header(MeshHeaders.TimeToFirstTokenMs), CultureInfo.InvariantCulture, out var ttft) ? ttft : null);
    }

    internal IReadOnlyDictionary<string, object?> AddTo(IReadOnlyDictionary<string, object?>? metadata)
    {
        var merged = metadata is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(metadata);
        merged[MeshMetadataKeys.RequestId] = RequestId;
        merged[MeshMetadataKeys.Engine] = Engine;
        merged[MeshMetadataKeys.Tier] = Tier;
        merged[MeshMetadataKeys.Reason] = Reason;
        merged[MeshMetadataKeys.CachedTokens] = CachedTokens;
        merged[MeshMetadataKeys.TimeToFirstTokenMs] = TimeToFirstTokenMs;
        return merged;
    }

    /// <summary>The report in a result's metadata, if it carries one.</summary>
    public static MeshReport? FromMetadata(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata is null || !metadata.ContainsKey(MeshMetadataKeys.Engine)
            ? null
            : new MeshReport(
                metadata.GetValueOrDefault(MeshMetadataKeys.RequestId) as string,
                metadata.GetValueOrDefault(MeshMetadataKeys.Engine) as string,
                metadata.GetValueOrDefault(MeshMetadataKeys.Tier) as string,
                metadata.GetValueOrDefault(MeshMetadataKeys.Reason) as string,
                metadata.GetValueOrDefault(MeshMetadataKeys.CachedTokens) as int?,
                metadata.GetValueOrDefault(MeshMetadataKeys.TimeToFirstTokenMs) as double?);
}

/// <summary>The metadata keys under which results carry the mesh's report.</summary>
public static class MeshMetadataKeys
{
    public const string RequestId = "mesh.request_id";
    public const string Engine = "mesh.engine";
    public const string Tier = "mesh.tier";
    public const string Reason = "mesh.reason";
    public const string CachedTokens = "mesh.cached_tokens";
    public const string TimeToFirstTokenMs = "mesh.time_to_first_token_ms";
}
