namespace Mesh.Dashboard.Storage;

/// <summary>
/// A fixed-capacity ring: adding to a full ring overwrites the oldest item. Not thread-safe; its owner locks.
/// Indexes run from 0 (oldest) to <see cref="Count"/> - 1 (newest).
/// </summary>
internal sealed class BoundedRing<T>
{
    private readonly T[] _items;
    private int _head;

    public BoundedRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Capacity => _items.Length;

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _items[(_head + index) % _items.Length];
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            _items[(_head + index) % _items.Length] = value;
        }
    }

    /// <summary>Adds <paramref name="item"/> as the newest; returns true and the evicted oldest item when the ring was full.</summary>
    public bool Add(T item, out T evicted)
    {
        if (Count < _items.Length)
        {
            _items[(_head + Count) % _items.Length] = item;
            Count++;
            evicted = default!;
            return false;
        }
        evicted = _items[_head];
        _items[_head] = item;
        _head = (_head + 1) % _items.Length;
        return true;
    }

    public void Add(T item) => Add(item, out _);

    public T Newest => this[Count - 1];

    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }

    /// <summary>The items from oldest to newest, copied.</summary>
    public T[] ToArray()
    {
        var copy = new T[Count];
        for (var i = 0; i < Count; i++)
        {
            copy[i] = this[i];
        }
        return copy;
    }
}
