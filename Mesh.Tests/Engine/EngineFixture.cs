using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine;

/// <summary>One real engine process on the tiny model, shared by a test class.</summary>
public class EngineFixture : IAsyncLifetime
{
    private ServiceProcess? _engine;

    protected virtual string[] Arguments => ["--Engine:Model=tiny"];

    public ServiceProcess Engine => _engine ?? throw new InvalidOperationException("Not started.");

    public HttpClient Client => Engine.Client;

    public async ValueTask InitializeAsync() => _engine = await ServiceProcess.StartAsync("Mesh.Engine", Arguments);

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
