namespace Mesh.Dashboard.MeshView;

/// <summary>A coordinator counter summed over its series and replicas: its total, its increase over the rate window and its rate.</summary>
public sealed record CounterRate(string Name, double Total, double RecentIncrease, double PerSecond);
