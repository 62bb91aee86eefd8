using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Tests.Infrastructure;

namespace Mesh.Tests.Engine;

/// <summary>One real engine process on the tiny model, without Redis, shared by a test class.</summary>
public class EngineFixture : TestAppFixture
{
    private const string Name = "engine";

    protected virtual string[] Arguments => ["--Engine:Model=tiny"];

    public HttpClient Client => App.Client(Name);

    protected override void Define(IDistributedApplicationBuilder builder) => builder.AddService(Name, "Mesh.Engine", Arguments);
}
