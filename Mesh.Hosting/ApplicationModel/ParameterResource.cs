namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// A value the app model hands to resources, as Aspire's parameters are: read from configuration
/// (<c>Parameters:&lt;name&gt;</c>, e.g. <c>--Parameters:mesh-secret=...</c>), or, for a secret nobody configured, generated
/// anew for each run. A secret is masked wherever the environment is shown.
/// </summary>
public sealed class ParameterResource(string name, string value, bool secret)
{
    public string Name { get; } = ResourceNames.Validate(name);

    public string Value { get; } = value;

    public bool Secret { get; } = secret;
}
