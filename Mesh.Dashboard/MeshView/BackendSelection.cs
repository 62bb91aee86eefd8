using Mesh.Contracts.Routing;

namespace Mesh.Dashboard.MeshView;

/// <summary>Why a request went where it went: the attributes of its <c>router.backend_selection</c> span.</summary>
public sealed record BackendSelection(
    string? Engine,
    string? Reason,
    string? Policy,
    string? TierPolicy,
    string? MatchedBlocks,
    string? PromptBlocks,
    IReadOnlyList<CandidateReport> Candidates,
    KeyValuePair<string, string>[] Attributes)
{
    /// <summary>The chosen engine's entry among the candidates, if it is there.</summary>
    public CandidateReport? Chosen => Candidates.FirstOrDefault(candidate => candidate.Engine == Engine);

    /// <summary>The best-scored engine that was not chosen.</summary>
    public CandidateReport? RunnerUp => Candidates
        .Where(candidate => candidate.Engine != Engine)
        .MinBy(candidate => candidate.ScoreMs);
}
