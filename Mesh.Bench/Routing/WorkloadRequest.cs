namespace Mesh.Bench.Routing;

/// <summary>
/// One request of a workload's stream: its chat messages, when it arrives (in seconds at one request per second;
/// a run at rate r divides by r), and, for a later turn of a conversation, the earlier turn it must wait for.
/// </summary>
public sealed record WorkloadRequest(
    int Index,
    string Group,
    IReadOnlyList<(string Role, string Content)> Messages,
    int MaxTokens,
    double ArrivalAtUnitRate,
    int? After = null);
