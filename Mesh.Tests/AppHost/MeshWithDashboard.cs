using Mesh.Hosting.Networking;

namespace Mesh.Tests.AppHost;

/// <summary>
/// The whole app with its dashboard and the Semantic Kernel workflow, started once for the classes that follow requests
/// into the dashboard. They run one after another, so a counter a test watches moves only with its own requests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MeshWithDashboard : ICollectionFixture<MeshWithDashboard.Fixture>
{
    public const string Name = "Mesh with dashboard";

    public sealed class Fixture : MeshAppFixture
    {
        protected override string[] Arguments =>
        [
            "--Mesh:Engines:Model=tiny",
            "--Mesh:Engines:Replicas=2",
            "--Mesh:Engines:HeartbeatInterval=00:00:00.250",
            "--Mesh:Coordinator:Port=0",
            "--Mesh:Workflow:Enabled=true",
            "--Mesh:Dashboard=true",
            $"--Dashboard:UiPort={PortAllocator.Next()}",
            $"--Dashboard:OtlpGrpcPort={PortAllocator.Next()}",
            $"--Dashboard:OtlpHttpPort={PortAllocator.Next()}",
        ];

        public HttpClient Workflow { get; private set; } = null!;

        protected override ValueTask OnStartedAsync()
        {
            Workflow = new HttpClient { BaseAddress = App.GetEndpoint("workflow"), Timeout = Infrastructure.Eventually.DefaultTimeout };
            return ValueTask.CompletedTask;
        }

        protected override ValueTask OnDisposingAsync()
        {
            Workflow.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
