namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// What an environment callback writes into, and where the values it needs come from: the local run (loopback
/// ports, parameter values) or a publish target (service names, references to secrets).
/// </summary>
public sealed class EnvironmentCallbackContext(Resource resource, IEnvironmentValues values)
{
    public Resource Resource { get; } = resource;

    public IEnvironmentValues Values { get; } = values;

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The resource's environment: every callback, in the order they were added (later ones win).</summary>
    public static Dictionary<string, string> Evaluate(Resource resource, IEnvironmentValues values)
    {
        var context = new EnvironmentCallbackContext(resource, values);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            annotation.Callback(context);
        }
        return context.Environment;
    }
}
