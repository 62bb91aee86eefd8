namespace Mesh.Hosting.ApplicationModel;

/// <summary>Configures one resource fluently, as Aspire's <c>IResourceBuilder&lt;T&gt;</c> does.</summary>
public interface IResourceBuilder<out T> where T : Resource
{
    T Resource { get; }

    IDistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, IDistributedApplicationBuilder applicationBuilder) : IResourceBuilder<T> where T : Resource
{
    public T Resource { get; } = resource;

    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
}
