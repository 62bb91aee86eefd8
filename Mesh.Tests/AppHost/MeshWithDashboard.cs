using Aspire.Hosting.Testing;
using Mesh.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Tests.AppHost;

/// <summary>
/// The whole app with Aspire's dashboard and the Semantic Kernel workflow, started once for the classes that follow
/// requests into the dashboard. They run one after another, so a counter a test watches moves only with its own requests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MeshWithDashboard : ICollectionFixture<MeshWithDashboard.Fixture>
{
    public const string Name = "Mesh with dashboard";

    public sealed class Fixture : MeshAppFixture
    {
        protected override bool EnableDashboard => true;

        protected override string[] Arguments =>
        [
            "--Mesh:Engines:Model=tiny",
            "--Mesh:Engines:Replicas=2",
            "--Mesh:Engines:HeartbeatInterval=00:00:00.250",
            "--Mesh:Coordinator:Port=0",
            "--Mesh:Workflow:Enabled=true",
            .. DashboardPorts.Arguments(),
        ];

        public HttpClient Workflow => App.Client("workflow");

        /// <summary>The dashboard's login URL, with the browser token.</summary>
        public Uri DashboardLogin { get; private set; } = null!;

        /// <summary>The dashboard's telemetry API.</summary>
        public AspireDashboard Dashboard { get; private set; } = null!;

        protected override async ValueTask OnStartedAsync()
        {
            DashboardLogin = await App.App.GetDashboardUrlAsync() ?? throw new InvalidOperationException("The dashboard has no URL.");
            var configuration = App.App.Services.GetRequiredService<IConfiguration>();
            Dashboard = new AspireDashboard(new Uri(DashboardLogin.GetLeftPart(UriPartial.Authority)), configuration["AppHost:DashboardApiKey"]
                ?? throw new InvalidOperationException("The AppHost gave the dashboard no API key."));
        }

        protected override ValueTask OnDisposingAsync()
        {
            Dashboard?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
