using Mesh.Contracts.Caching;

namespace Mesh.Engine.KvCache;

/// <summary>
/// Bookkeeping of the paged KV cache: which blocks are free, which sequences hold which blocks, and which full
/// blocks are known by their chained prefix hash so a later prompt can reuse them. Single-threaded: only the
/// scheduler loop calls it.
/// <para>
/// Blocks that no sequence holds stay cached until a new block is needed, and eviction is a segmented LRU:
/// a cached block that has never been reused (a one-off question, a generated answer) is on probation and goes
/// first; a block that a later prompt reused (a shared system prompt, an earlier turn) is protected, and goes
/// only when no block is on probation. Protected blocks take at most <see cref="KvCacheEviction.ProtectedShare"/>
/// of the capacity; beyond that the least recently used of them go back on probation, so a new prefix can still earn
/// its place. Without the two segments, a steady stream of one-off blocks pushes out the shared prefixes that
/// prefix-aware routing sends requests here for.
/// </para>
/// </summary>
public sealed class KvBlockManager
{
    private const int None = BlockList.None;

    private readonly int[] _refCounts;
    private readonly ulong[] _hashes;
    private readonly bool[] _hashed;
    private readonly bool[] _reused;
    private readonly Dictionary<ulong, int> _blockByHash;
    private readonly Stack<int> _free;
    private readonly BlockList _probation;
    private readonly BlockList _protected;
    private readonly int _protectedLimit;

    public KvBlockManager(int capacity, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Capacity = capacity;
        BlockSize = blockSize;
        _refCounts = new int[capacity];
        _hashes = new ulong[capacity];
        _hashed = new bool[capacity];
        _reused = new bool[capacity];
        var previous = new int[capacity];
        var next = new int[capacity];
        _probation = new BlockList(previous, next);
        _protected = new BlockList(previous, next);
        _protectedLimit = KvCacheEviction.ProtectedLimit(capacity);
        _blockByHash = new Dictionary<ulong, int>(capacity);
        _free = new Stack<int>(capacity);
        for (var b = capacity - 1; b >= 0; b--)
        {
            _free.Push(b);
        }
    }

    public int Capacity { get; }

    public int BlockSize { get; }

    /// <summary>Blocks held by at least one sequence.</summary>
    public int UsedBlocks { get; private set; }

    /// <summary>Blocks that hold a reusable prefix but no sequence holds them (evictable).</summary>
    public int CachedBlocks => _probation.Count + _protected.Count;

    /// <summary>Cached blocks that have been reused, evicted only after every block on probation.</summary>
    public int ProtectedBlocks => _protected.Count;

    /// <summary>Blocks a sequence could get right now: free plus evictable.</summary>
    public int AvailableBlocks => Capacity - UsedBlocks;

    public long Evictions { get; private set; }

    /// <summary>How many leading blocks of a prompt with these chained hashes are cached.</summary>
    public int MatchPrefix(ReadOnlySpan<ulong> hashes)
    {
        var matched = 0;
        while (matched < hashes.Length && _blockByHash.ContainsKey(hashes[matched]))
        {
            matched++;
        }
        return matched;
    }

    /// <summary>Takes a reference on the cached block of <paramref name="hash"/> (a reuse); it must be cached (see <see cref="MatchPrefix"/>).</summary>
    public int AcquireCached(ulong hash)
    {
        var block = _blockByHash[hash];
        Acquire(block); // unlinks it from the list it is in now, before it counts as reused
        _reused[block] = true;
        return block;
    }

    /// <summary>A block for new keys and values: a free one, else a cached one is evicted (on probation first).</summary>
    public bool TryAllocate(out int block)
    {
        if (_free.TryPop(out block))
        {
            Acquire(block);
            return true;
        }
        block = _probation.Head != None ? _probation.Head : _protected.Head;
        if (block == None)
        {
            return false;
        }
        Forget(block);
        Evictions++;
        Acquire(block);
        return true;
    }

    /// <summary>
    /// Drops one reference; a block nobody holds stays cached if it has a hash, else it is free. A sequence
    /// releases its blocks last to first, so within a prompt the tail is older than the head and goes first,
    /// which keeps what remains a usable prefix.
    /// </summary>
    public void Release(int block)
    {
        if (--_refCounts[block] > 0)
        {
            return;
        }
        UsedBlocks--;
        if (!_hashed[block])
        {
            _free.Push(block);
            return;
        }
        if (!_reused[block])
        {
            _probation.Append(block);
            return;
        }
        _protected.Append(block);
        if (_protected.Count > _protectedLimit)
        {
            var demoted = _protected.Head;
            _protected.Remove(demoted);
            _reused[demoted] = false;
            _probation.Append(demoted);
        }
    }

    /// <summary>
    /// Records that a full block holds the prefix named by <paramref name="hash"/>. When another block already
    /// holds that prefix (two sequences computed it at once), the first stays the one to reuse.
    /// </summary>
    public void Register(int block, ulong hash)
    {
        if (_hashed[block] || !_blockByHash.TryAdd(hash, block))
        {
            return;
        }
        _hashes[block] = hash;
        _hashed[block] = true;
        _reused[block] = false;
    }

    /// <summary>Forgets every cached prefix. Blocks in use stay with their sequences but will not be reused.</summary>
    public void Reset()
    {
        foreach (var block in _blockByHash.Values.ToArray())
        {
            if (_refCounts[block] == 0)
            {
                Forget(block);
                _free.Push(block);
            }
            else
            {
                _hashed[block] = false;
            }
        }
        _blockByHash.Clear();
    }

    private void Acquire(int block)
    {
        if (_refCounts[block]++ > 0)
        {
            return;
        }
        UsedBlocks++;
        if (_hashed[block])
        {
            ListOf(block).Remove(block);
        }
    }

    /// <summary>Unlinks an unheld cached block from its list and the hash map.</summary>
    private void Forget(int block)
    {
        ListOf(block).Remove(block);
        _blockByHash.Remove(_hashes[block]);
        _hashed[block] = false;
        _reused[block] = false;
    }

    private BlockList ListOf(int block) => _reused[block] ? _protected : _probation;
}
