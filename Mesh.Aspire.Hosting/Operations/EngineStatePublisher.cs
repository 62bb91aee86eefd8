using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace Mesh.Aspire.Hosting.Operations;

/// <summary>
/// Shows each engine replica's live state as properties of its resource in the dashboard, from what the coordinator
/// already knows (the engines' signed heartbeats and its own learned costs and breakers): model, tier, epoch, KV blocks
/// used and capacity, cached blocks, running and waiting sequences, learned prefill cost, breaker state, draining.
/// Read once a second from the first coordinator replica that answers; nothing is stored twice.
/// </summary>
internal sealed class EngineStatePublisher(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    MeshOperations operations,
    ReplicaAddresses replicas,
    IHostApplicationLifetime lifetime,
    TimeProvider time) : WhileRunningSubscriber(lifetime)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            if (model.Resources.OfType<MeshCoordinatorResource>().FirstOrDefault() is not { } coordinator
                || await operations.EnginesAsync(coordinator, stopping) is not { } state)
            {
                continue;
            }
            var engines = (state["engines"]?.AsArray() ?? []).OfType<JsonObject>()
                .Where(e => e["id"] is not null).ToDictionary(e => (string)e["id"]!, StringComparer.Ordinal);
            foreach (var resource in model.Resources.OfType<MeshEngineResource>())
            {
                foreach (var replica in replicas.ReplicasOf(resource))
                {
                    if (engines.TryGetValue(replica, out var engine))
                    {
                        var properties = Properties(engine);
                        await notifications.PublishUpdateAsync(resource, replica, snapshot => snapshot with { Properties = Merge(snapshot.Properties, properties) });
                    }
                }
            }
        }
    }

    /// <summary>The mesh's properties, named <c>mesh.*</c> and shown first.</summary>
    private static List<ResourcePropertySnapshot> Properties(JsonObject engine)
    {
        string Text(string key) => engine[key]?.ToString() ?? string.Empty;
        string Number(string key, string format) => engine[key] is JsonValue value && value.TryGetValue<double>(out var number)
            ? number.ToString(format, CultureInfo.InvariantCulture) : string.Empty;
        var routable = (bool?)engine["routable"] == true;
        var draining = (bool?)engine["draining"] == true;
        (string Name, string Display, string Value, bool Highlight)[] rows =
        [
            ("mesh.state", "Mesh state", draining ? "draining" : routable ? "routable" : "not routable", true),
            ("mesh.model", "Model", Text("model"), true),
            ("mesh.tier", "Tier", Text("tier"), false),
            ("mesh.epoch", "Epoch", Text("epoch"), false),
            ("mesh.kv_blocks", "KV blocks used / capacity", $"{Text("kv_blocks_used")} / {Text("kv_capacity_blocks")}", true),
            ("mesh.kv_blocks_cached", "Cached blocks", Text("kv_blocks_cached"), false),
            ("mesh.sequences", "Running / waiting sequences", $"{Text("running")} / {Text("waiting")}", true),
            ("mesh.prefill_ms_per_token", "Learned prefill ms per token", Number("prefill_ms_per_token", "0.0000"), false),
            ("mesh.circuit", "Breaker", Text("circuit"), false),
            ("mesh.prefix_index_entries", "Prefix index entries", Text("prefix_index_entries"), false),
        ];
        return [.. rows.Select((row, i) => new ResourcePropertySnapshot(row.Name, row.Value) { DisplayName = row.Display, IsHighlighted = row.Highlight, SortOrder = i })];
    }

    private static ImmutableArray<ResourcePropertySnapshot> Merge(ImmutableArray<ResourcePropertySnapshot> current, List<ResourcePropertySnapshot> mesh) =>
        [.. current.Where(p => !p.Name.StartsWith("mesh.", StringComparison.Ordinal)), .. mesh];
}
