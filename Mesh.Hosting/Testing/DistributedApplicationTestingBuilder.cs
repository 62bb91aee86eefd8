using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Testing;

/// <summary>
/// Starts an app model in a test, in the shape of Aspire's <c>DistributedApplicationTestingBuilder</c>:
/// <c>CreateAsync</c> with the AppHost's app model and per-test arguments, <c>BuildAsync</c>, <c>StartAsync</c>.
/// Nothing is printed to the console; the resources' console logs are kept for failure messages.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    /// <param name="appModel">The AppHost's app model (for Mesh: <c>MeshAppModel.Define</c>).</param>
    /// <param name="args">Configuration overrides, e.g. <c>--Mesh:Engines:Replicas=2</c>.</param>
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync(Func<IDistributedApplicationBuilder, object?> appModel, params string[] args)
    {
        var builder = new DistributedApplicationBuilder(new DistributedApplicationOptions
        {
            Args = args,
            EntryAssembly = appModel.Method.DeclaringType?.Assembly,
            ReportToConsole = false,
        });
        appModel(builder);
        return Task.FromResult<IDistributedApplicationTestingBuilder>(new TestingBuilder(builder));
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder inner) : IDistributedApplicationTestingBuilder
    {
        public Microsoft.Extensions.Configuration.IConfiguration Configuration => inner.Configuration;

        public string RootDirectory => inner.RootDirectory;

        public string BuildConfiguration => inner.BuildConfiguration;

        public IReadOnlyList<Resource> Resources => inner.Resources;

        public IResourceBuilder<ProjectResource>? Dashboard => inner.Dashboard;

        public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource => inner.AddResource(resource);

        public IReadOnlyList<ParameterResource> Parameters => inner.Parameters;

        public ParameterResource AddParameter(string name, bool secret = false) => inner.AddParameter(name, secret);

        public IResourceBuilder<ProjectResource> AddDashboard(string name, string projectDirectory, DashboardSettings settings) =>
            inner.AddDashboard(name, projectDirectory, settings);

        public DistributedApplication Build() => inner.Build();

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) => Task.FromResult(inner.Build());
    }
}

public interface IDistributedApplicationTestingBuilder : IDistributedApplicationBuilder
{
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}
