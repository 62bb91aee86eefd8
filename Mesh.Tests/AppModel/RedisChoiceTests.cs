using Aspire.Hosting;
using Mesh.Aspire.Hosting.Redis;

namespace Mesh.Tests.AppModel;

/// <summary>Where the mesh's Redis comes from: a setting forces a mode (an unmet one fails at once), publishing always emits the container.</summary>
public sealed class RedisChoiceTests
{
    private static IDistributedApplicationBuilder Builder(params string[] args) => DistributedApplication.CreateBuilder(args);

    [Theory]
    [InlineData(RedisMode.Container)]
    [InlineData(RedisMode.None)]
    public async Task A_forced_mode_is_taken_as_asked(RedisMode mode)
    {
        var choice = await Builder().ChooseRedisAsync(mode, connectionString: null);

        Assert.Equal(mode, choice.Mode);
    }

    [Fact]
    public async Task A_connection_string_makes_auto_external_and_external_needs_one()
    {
        Assert.Equal(RedisMode.External, (await Builder().ChooseRedisAsync(RedisMode.Auto, "127.0.0.1:6379")).Mode);
        var missing = await Assert.ThrowsAsync<DistributedApplicationException>(() => Builder().ChooseRedisAsync(RedisMode.External, null));
        Assert.Contains("Mesh:Redis:ConnectionString", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_without_a_container_runtime_takes_this_machines_redis_server()
    {
        var choice = await Builder("--ASPIRE_CONTAINER_RUNTIME=no-such-runtime").ChooseRedisAsync(RedisMode.Auto, null);

        Assert.Equal(RedisMode.Executable, choice.Mode); // .ci/run installs redis-server
        Assert.Contains("no-such-runtime is not installed", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_always_emits_the_Redis_container()
    {
        var choice = await Builder("--operation", "publish").ChooseRedisAsync(RedisMode.Executable, null);

        Assert.Equal(RedisMode.Container, choice.Mode);
    }
}
