using Microsoft.Extensions.Configuration;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>Declares the resources of an application, as Aspire's builder does.</summary>
public interface IDistributedApplicationBuilder
{
    IConfiguration Configuration { get; }

    /// <summary>The folder project paths are relative to (the repository root).</summary>
    string RootDirectory { get; }

    /// <summary>The build configuration projects are launched from (the AppHost's own: Debug or Release).</summary>
    string BuildConfiguration { get; }

    IReadOnlyList<Resource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : Resource;

    IReadOnlyList<ParameterResource> Parameters { get; }

    /// <summary>A parameter from <c>Parameters:&lt;name&gt;</c>; a secret that is not configured is generated (32 random bytes, hex).</summary>
    ParameterResource AddParameter(string name, bool secret = false);

    /// <summary>The dashboard, once added: every project then exports telemetry to it.</summary>
    IResourceBuilder<ProjectResource>? Dashboard { get; }

    IResourceBuilder<ProjectResource> AddDashboard(string name, string projectDirectory, DashboardSettings settings);

    DistributedApplication Build();
}
