namespace Mesh.Dashboard.MeshView;

/// <summary>Why a request went where it went: the attributes of its <c>router.backend_selection</c> span.</summary>
public sealed record BackendSelection(
    string? Engine,
    string? Reason,
    string? Policy,
    string? TierPolicy,
    string? MatchedBlocks,
    string? PromptBlocks,
    IReadOnlyList<RoutingCandidate> Candidates,
    KeyValuePair<string, string>[] Attributes)
{
    /// <summary>The chosen engine's entry among the candidates, if it is there.</summary>
    public RoutingCandidate? Chosen => Candidates.FirstOrDefault(candidate => candidate.Engine == Engine);

    /// <summary>The best-scored engine that was not chosen.</summary>
    public RoutingCandidate? RunnerUp => Candidates
        .Where(candidate => candidate.Engine != Engine && candidate.ScoreMs is not null)
        .MinBy(candidate => candidate.ScoreMs);
}
