namespace Mesh.Hosting.ApplicationModel;

/// <summary>Adds environment variables when the resource's environment is computed (to launch an instance, or to publish a manifest).</summary>
public sealed class EnvironmentCallbackAnnotation(Action<EnvironmentCallbackContext> callback) : IResourceAnnotation
{
    public Action<EnvironmentCallbackContext> Callback { get; } = callback;
}
