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

public sealed class KvBlockManagerEvictionTests
{
    /// <summary>Allocates and registers a prompt's blocks, then releases them as a finished sequence does (last to first).</summary>
    private static int[] Serve(KvBlockManager blocks, params ulong[] hashes)
    {
        var ids = new int[hashes.Length];
        var matched = blocks.MatchPrefix(hashes);
        for (var i = 0; i < hashes.Length; i++)
        {
            if (i < matched)
            {
                ids[i] = blocks.AcquireCached(hashes[i]);
                continue;
            }
            Assert.True(blocks.TryAllocate(out ids[i]));
            blocks.Register(ids[i], hashes[i]);
        }
        for (var i = ids.Length - 1; i >= 0; i--)
        {
            blocks.Release(ids[i]);
        }
        return ids;
    }

    [Fact]
    public void A_reused_prefix_outlives_newer_one_off_blocks()
    {
        var blocks = new KvBlockManager(capacity: 8, blockSize: 16);
        Serve(blocks, 1, 2, 3);          // a system prompt...
        Serve(blocks, 1, 2, 3, 10);      // ...reused: 1-3 are protected now
        for (ulong question = 100; question < 140; question++)
        {
            Serve(blocks, question);     // a stream of one-off blocks, each newer than the prefix
        }

        Assert.Equal(3, blocks.MatchPrefix([1UL, 2UL, 3UL]));
        Assert.Equal(3, blocks.ProtectedBlocks);
        Assert.True(blocks.Evictions > 30);
    }

    [Fact]
    public void Under_plain_pressure_a_prompt_loses_its_tail_before_its_head()
    {
        var blocks = new KvBlockManager(capacity: 4, blockSize: 16);
        Serve(blocks, 1, 2, 3, 4);
        Serve(blocks, 50);               // one block must go: the oldest is the prompt's tail

        Assert.Equal(3, blocks.MatchPrefix([1UL, 2UL, 3UL, 4UL]));
    }

    [Fact]
    public void Protected_blocks_are_capped_so_a_new_prefix_can_still_earn_its_place()
    {
        var blocks = new KvBlockManager(capacity: 10, blockSize: 16);
        for (ulong prefix = 1; prefix <= 5; prefix++)
        {
            Serve(blocks, prefix * 100, prefix * 100 + 1);
            Serve(blocks, prefix * 100, prefix * 100 + 1); // reused: ten protected blocks would fill the cache
        }

        Assert.Equal(Mesh.Contracts.Caching.KvCacheEviction.ProtectedLimit(10), blocks.ProtectedBlocks);
        Serve(blocks, 900, 901);
        Serve(blocks, 900, 901);
        Assert.Equal(2, blocks.MatchPrefix([900UL, 901UL]));
        Assert.Equal(0, blocks.MatchPrefix([100UL])); // the least recently reused prefix made room
    }
}
