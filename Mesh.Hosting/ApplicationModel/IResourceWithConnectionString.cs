namespace Mesh.Hosting.ApplicationModel;

/// <summary>A resource others reach through a connection string: a reference injects <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    string ConnectionStringFor(IEnvironmentValues values);
}
