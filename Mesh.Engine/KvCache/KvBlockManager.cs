namespace Mesh.Engine.KvCache;

/// <summary>
/// Bookkeeping of the paged KV cache: which blocks are free, which sequences hold which blocks, and which
/// full blocks are known by their chained prefix hash so a later prompt can reuse them. Blocks that no
/// sequence holds stay cached and are evicted least recently used when a new block is needed.
/// Single-threaded: only the scheduler loop calls it.
/// </summary>
public sealed class KvBlockManager
{
    private const int None = -1;

    private readonly int[] _refCounts;
    private readonly ulong[] _hashes;
    private readonly bool[] _hashed;
    private readonly Dictionary<ulong, int> _blockByHash;
    private readonly Stack<int> _free;

    // Intrusive doubly-linked LRU list of cached blocks that no sequence holds; head = least recently used.
    private readonly int[] _previous;
    private readonly int[] _next;
    private int _lruHead = None;
    private int _lruTail = None;

    public KvBlockManager(int capacity, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        Capacity = capacity;
        BlockSize = blockSize;
        _refCounts = new int[capacity];
        _hashes = new ulong[capacity];
        _hashed = new bool[capacity];
        _previous = new int[capacity];
        _next = new int[capacity];
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
    public int CachedBlocks { get; private set; }

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

    /// <summary>Takes a reference on the cached block of <paramref name="hash"/>; it must be cached (see <see cref="MatchPrefix"/>).</summary>
    public int AcquireCached(ulong hash)
    {
        var block = _blockByHash[hash];
        Acquire(block);
        return block;
    }

    /// <summary>A block for new keys and values: a free one, else the least recently used cached one is evicted.</summary>
    public bool TryAllocate(out int block)
    {
        if (_free.TryPop(out block))
        {
            Acquire(block);
            return true;
        }
        if (_lruHead == None)
        {
            block = None;
            return false;
        }
        block = _lruHead;
        Forget(block);
        Evictions++;
        Acquire(block);
        return true;
    }

    /// <summary>Drops one reference; a block nobody holds stays cached if it has a hash, else it is free.</summary>
    public void Release(int block)
    {
        if (--_refCounts[block] > 0)
        {
            return;
        }
        UsedBlocks--;
        if (_hashed[block])
        {
            AppendLru(block);
            CachedBlocks++;
        }
        else
        {
            _free.Push(block);
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
            RemoveLru(block);
            CachedBlocks--;
        }
    }

    /// <summary>Unlinks an unheld cached block from the LRU list and the hash map.</summary>
    private void Forget(int block)
    {
        RemoveLru(block);
        CachedBlocks--;
        _blockByHash.Remove(_hashes[block]);
        _hashed[block] = false;
    }

    private void AppendLru(int block)
    {
        _previous[block] = _lruTail;
        _next[block] = None;
        if (_lruTail == None)
        {
            _lruHead = block;
        }
        else
        {
            _next[_lruTail] = block;
        }
        _lruTail = block;
    }

    private void RemoveLru(int block)
    {
        var previous = _previous[block];
        var next = _next[block];
        if (previous == None)
        {
            _lruHead = next;
        }
        else
        {
            _next[previous] = next;
        }
        if (next == None)
        {
            _lruTail = previous;
        }
        else
        {
            _previous[next] = previous;
        }
    }
}
