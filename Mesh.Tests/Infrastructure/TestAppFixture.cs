using Aspire.Hosting;
using Mesh.Testing;

namespace Mesh.Tests.Infrastructure;

/// <summary>A <see cref="RunningApp"/> shared by the tests of a class or a collection: the model is started once, before the first test.</summary>
public abstract class TestAppFixture : IAsyncLifetime
{
    private RunningApp? _app;

    public RunningApp App => _app ?? throw new InvalidOperationException("Not started.");

    /// <summary>The app model: only what the tests that share it need.</summary>
    protected abstract void Define(IDistributedApplicationBuilder builder);

    /// <summary>What the fixture waits for once every resource is healthy (engines routable, data seeded...).</summary>
    protected virtual ValueTask OnStartedAsync() => ValueTask.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        _app = await SmallApp.StartAsync(Define);
        await OnStartedAsync();
    }

    /// <summary>What the fixture releases before the app stops.</summary>
    protected virtual ValueTask OnDisposingAsync() => ValueTask.CompletedTask;

    /// <summary>What the fixture cleans up once the app's processes are gone (their files, say).</summary>
    protected virtual void OnStopped()
    {
    }

    public async ValueTask DisposeAsync()
    {
        await OnDisposingAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        OnStopped();
        GC.SuppressFinalize(this);
    }
}
