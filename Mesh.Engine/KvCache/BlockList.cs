namespace Mesh.Engine.KvCache;

/// <summary>
/// An intrusive doubly-linked list of block ids, oldest first. The links live in arrays indexed by block id that
/// several lists share (a block is in at most one list), so moving a block allocates nothing.
/// </summary>
internal sealed class BlockList(int[] previous, int[] next)
{
    public const int None = -1;

    public int Head { get; private set; } = None;

    public int Count { get; private set; }

    private int _tail = None;

    public void Append(int block)
    {
        previous[block] = _tail;
        next[block] = None;
        if (_tail == None)
        {
            Head = block;
        }
        else
        {
            next[_tail] = block;
        }
        _tail = block;
        Count++;
    }

    public void Remove(int block)
    {
        var before = previous[block];
        var after = next[block];
        if (before == None)
        {
            Head = after;
        }
        else
        {
            next[before] = after;
        }
        if (after == None)
        {
            _tail = before;
        }
        else
        {
            previous[after] = before;
        }
        Count--;
    }
}
