using Mesh.Engine.KvCache;

namespace Mesh.Tests.Engine;

public sealed class KvBlockManagerTests
{
    [Fact]
    public void A_released_block_with_a_hash_stays_cached_and_is_found_by_prefix()
    {
        var blocks = new KvBlockManager(capacity: 4, blockSize: 16);
        Assert.True(blocks.TryAllocate(out var a));
        Assert.True(blocks.TryAllocate(out var b));
        blocks.Register(a, 100);
        blocks.Register(b, 200);
        blocks.Release(a);
        blocks.Release(b);

        Assert.Equal(0, blocks.UsedBlocks);
        Assert.Equal(2, blocks.CachedBlocks);
        Assert.Equal(2, blocks.MatchPrefix([100UL, 200UL, 300UL]));
        Assert.Equal(1, blocks.MatchPrefix([100UL, 300UL, 200UL]));
        Assert.Equal(a, blocks.AcquireCached(100));
        Assert.Equal(1, blocks.UsedBlocks);
    }

    [Fact]
    public void Free_blocks_go_first_then_the_least_recently_used_cached_block_is_evicted()
    {
        var blocks = new KvBlockManager(capacity: 3, blockSize: 16);
        var ids = new int[3];
        for (var i = 0; i < 3; i++)
        {
            Assert.True(blocks.TryAllocate(out ids[i]));
            blocks.Register(ids[i], (ulong)(i + 1));
        }
        blocks.Release(ids[1]); // least recently used
        blocks.Release(ids[0]);
        blocks.Release(ids[2]);

        Assert.True(blocks.TryAllocate(out var reused));
        Assert.Equal(ids[1], reused);
        Assert.Equal(1, blocks.Evictions);
        Assert.Equal(0, blocks.MatchPrefix([2UL]));
        Assert.Equal(1, blocks.MatchPrefix([1UL]));
    }

    [Fact]
    public void Held_blocks_are_never_evicted()
    {
        var blocks = new KvBlockManager(capacity: 2, blockSize: 16);
        Assert.True(blocks.TryAllocate(out var held));
        blocks.Register(held, 7);
        Assert.True(blocks.TryAllocate(out _));
        Assert.False(blocks.TryAllocate(out _));
        Assert.Equal(1, blocks.MatchPrefix([7UL]));
    }

    [Fact]
    public void A_second_block_with_the_same_prefix_is_not_registered_twice_and_is_freed_on_release()
    {
        var blocks = new KvBlockManager(capacity: 2, blockSize: 16);
        Assert.True(blocks.TryAllocate(out var first));
        Assert.True(blocks.TryAllocate(out var second));
        blocks.Register(first, 9);
        blocks.Register(second, 9);
        blocks.Release(second);
        Assert.Equal(0, blocks.CachedBlocks);
        Assert.Equal(1, blocks.AvailableBlocks);
        Assert.Equal(first, blocks.AcquireCached(9));
    }

    [Fact]
    public void Reset_forgets_every_prefix_but_keeps_held_blocks_with_their_holders()
    {
        var blocks = new KvBlockManager(capacity: 3, blockSize: 16);
        Assert.True(blocks.TryAllocate(out var cached));
        Assert.True(blocks.TryAllocate(out var held));
        blocks.Register(cached, 1);
        blocks.Register(held, 2);
        blocks.Release(cached);

        blocks.Reset();

        Assert.Equal(0, blocks.MatchPrefix([1UL]));
        Assert.Equal(0, blocks.MatchPrefix([2UL]));
        Assert.Equal(1, blocks.UsedBlocks);
        Assert.Equal(0, blocks.CachedBlocks);
        blocks.Release(held);
        Assert.Equal(3, blocks.AvailableBlocks);
    }
}
