using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Telemetry;

/// <summary>The trace documents of the most recent requests, bounded; the oldest go first.</summary>
internal sealed class RecentRequests(IOptions<CoordinatorOptions> options)
{
    private readonly ConcurrentDictionary<string, TraceDocument> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly int _capacity = options.Value.RecentRequests;

    public void Add(TraceDocument document)
    {
        _byId[document.RequestId] = document;
        _order.Enqueue(document.RequestId);
        while (_order.Count > _capacity && _order.TryDequeue(out var oldest))
        {
            _byId.TryRemove(oldest, out _);
        }
    }

    public TraceDocument? Find(string requestId) => _byId.GetValueOrDefault(requestId);

    /// <summary>The latest <paramref name="count"/> documents, newest first.</summary>
    public IReadOnlyList<TraceDocument> Latest(int count) =>
        [.. _order.Reverse().Take(count).Select(id => _byId.GetValueOrDefault(id)).OfType<TraceDocument>()];
}
