using Mesh.Hosting.ApplicationModel;

namespace Mesh.Tests.Infrastructure;

/// <summary>A <see cref="TestApp"/> shared by the tests of a class or a collection: the model is started once, before the first test.</summary>
public abstract class TestAppFixture : IAsyncLifetime
{
    private TestApp? _app;

    public TestApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>The app model: only what the tests that share it need.</summary>
    protected abstract void Define(IDistributedApplicationBuilder builder);

    /// <summary>What the fixture waits for once every resource is healthy (engines routable, data seeded...).</summary>
    protected virtual ValueTask OnStartedAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        _app = await TestApp.StartAsync(Define);
        await OnStartedAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
