using Microsoft.Extensions.Time.Testing;

namespace Mesh.Tests.Coordinator;

public sealed class EngineRegistryTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_new_epoch_retires_the_old_instance_and_an_older_one_is_an_unknown_sender()
    {
        var registry = CoordinatorTestDoubles.Registry(_time);
        var retired = new List<(string, long)>();
        var unknown = 0;
        registry.InstanceRetired += instance => retired.Add((instance.Id, instance.Epoch));
        registry.UnknownSender += _ => unknown++;

        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("a", epoch: 5)], complete: true);
        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("a", epoch: 6)], complete: true);
        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("a", epoch: 4)], complete: false);

        Assert.Equal([("a", 5L)], retired);
        Assert.Equal(6, registry.Find("a")!.Epoch);
        Assert.Equal(1, unknown);
    }

    [Fact]
    public void An_engine_whose_key_is_gone_leaves_and_its_metadata_is_retired()
    {
        var registry = CoordinatorTestDoubles.Registry(_time);
        var retired = new List<string>();
        registry.InstanceRetired += instance => retired.Add(instance.Id);
        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("a"), CoordinatorTestDoubles.Heartbeat("b")], complete: true);

        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("b")], complete: true);

        Assert.Null(registry.Find("a"));
        Assert.Equal(["a"], retired);
        Assert.Equal(1, registry.RoutableCount);
    }

    [Fact]
    public void Reports_are_trusted_only_from_the_registered_instance()
    {
        var registry = CoordinatorTestDoubles.Registry(_time);
        var unknown = 0;
        registry.UnknownSender += _ => unknown++;
        registry.ApplyKeys([CoordinatorTestDoubles.Heartbeat("a", epoch: 7)], complete: true);
        var engine = registry.Find("a")!;

        Assert.True(registry.ValidateReport(engine, "a", 7));
        Assert.False(registry.ValidateReport(engine, "a", 8)); // restarted: wait for its key
        Assert.False(registry.ValidateReport(engine, "a", 6));
        Assert.False(registry.ValidateReport(engine, "impostor", 7));
        Assert.Equal(2, unknown);
    }
}
