using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class MeshSecretExtensions
{
    /// <summary>Gives a mesh service the mesh secret (<c>Mesh__Secret</c>), through the environment, never the command line.</summary>
    public static IResourceBuilder<T> WithMeshSecret<T>(this IResourceBuilder<T> builder, IResourceBuilder<ParameterResource> secret)
        where T : IResourceWithEnvironment =>
        builder.WithEnvironment("Mesh__Secret", secret).WithAnnotation(new MeshSecretAnnotation(secret.Resource), ResourceAnnotationMutationBehavior.Replace);
}
