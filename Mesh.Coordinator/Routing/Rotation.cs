namespace Mesh.Coordinator.Routing;

/// <summary>
/// A turn counter that breaks ties evenly: each call starts the order at the next engine (by id), instead of
/// sending every tie to the first one.
/// </summary>
public sealed class Rotation
{
    private int _turn;

    /// <summary>Each candidate's place in this turn's rotation, by candidate.</summary>
    public Dictionary<Candidate, int> Next(IReadOnlyList<Candidate> candidates)
    {
        var turn = Interlocked.Increment(ref _turn) & int.MaxValue;
        var byId = candidates.OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var order = new Dictionary<Candidate, int>(byId.Count);
        for (var i = 0; i < byId.Count; i++)
        {
            order[byId[i]] = (i - turn % byId.Count + byId.Count) % byId.Count;
        }
        return order;
    }
}
