using System.Text.Json.Serialization;
using Mesh.Coordinator.Telemetry;

namespace Mesh.Coordinator.Api;

/// <summary>One engine as <c>GET /v1/mesh/engines</c> shows it.</summary>
internal sealed record EngineView(
    string Id,
    long Epoch,
    string Url,
    string Tier,
    string Model,
    bool Static,
    bool Simulated,
    bool Routable,
    bool Draining,
    string Circuit,
    int ConsecutiveFailures,
    int Running,
    int Waiting,
    int Slots,
    int Capacity,
    int InFlight,
    int KvCapacityBlocks,
    int KvBlocksUsed,
    int KvBlocksCached,
    double PrefillMsPerToken,
    double ServiceMs,
    double ReportedPrefillMsPerToken,
    double ReportedDecodeMsPerStep,
    double HeartbeatAgeMs,
    long PrefixIndexEntries);

internal sealed record MeshEnginesView(string PrefixIndex, int ActiveEngines, string DefaultPolicy, IReadOnlyList<EngineView> Engines);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MeshEnginesView))]
[JsonSerializable(typeof(EngineDrainState))]
[JsonSerializable(typeof(DefaultPolicyState))]
[JsonSerializable(typeof(TraceDocument))]
[JsonSerializable(typeof(IReadOnlyList<TraceDocument>))]
internal sealed partial class CoordinatorJsonContext : JsonSerializerContext;
