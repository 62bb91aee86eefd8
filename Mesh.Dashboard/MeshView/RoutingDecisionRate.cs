namespace Mesh.Dashboard.MeshView;

/// <summary>Routing decisions per second for one policy, tier policy and reason (from <c>mesh_routing_decisions</c>).</summary>
public sealed record RoutingDecisionRate(string Policy, string TierPolicy, string Reason, double PerSecond, double Total);
