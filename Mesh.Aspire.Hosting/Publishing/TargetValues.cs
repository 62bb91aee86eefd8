using System.Globalization;
using Aspire.Hosting.ApplicationModel;

namespace Mesh.Aspire.Hosting.Publishing;

/// <summary>
/// Turns the values of Aspire's app model (parameters, endpoint references, connection strings, reference expressions)
/// into the text a target's manifest holds: inside the target every project listens on all interfaces at its container
/// port, another resource is reached by its service name, and a secret becomes a reference the target resolves when the
/// container starts (kept here, so the publisher writes each secret once, in the target's own secret store).
/// </summary>
internal abstract class TargetValues(MeshPublishOptions options)
{
    private readonly SortedDictionary<string, SecretValue> _secrets = new(StringComparer.Ordinal);

    public MeshPublishOptions Options { get; } = options;

    /// <summary>The secrets the values resolved so far refer to.</summary>
    public IReadOnlyCollection<SecretValue> Secrets => _secrets.Values;

    /// <summary>The instance's own name (<c>service.instance.id</c>): a pod's name, a Compose service's.</summary>
    public abstract string InstanceId { get; }

    /// <summary>Where other services reach this very instance.</summary>
    public abstract string InstanceHost { get; }

    /// <summary>The host a reference to <paramref name="resource"/> names.</summary>
    public virtual string HostOf(IResource resource) => resource.Name;

    /// <summary>How the target refers to a secret it injects as <paramref name="variable"/>.</summary>
    protected abstract string SecretReference(string variable);

    /// <summary>
    /// <c>mesh-secret</c> is injected as <c>SECRET_MESH_SECRET</c>: a name of its own, since Aspire's references inject
    /// variables of their own named after the parameter (<c>REDIS_PASSWORD</c>), which refer to the secret.
    /// </summary>
    public static string VariableOf(ParameterResource parameter) => "SECRET_" + parameter.Name.ToUpperInvariant().Replace('-', '_');

    /// <summary>The port an endpoint serves inside its container: its target port, else the projects' HTTP port.</summary>
    public int PortOf(EndpointAnnotation endpoint) =>
        endpoint.TargetPort ?? endpoint.Port ?? (endpoint.UriScheme is "http" or "https" ? Options.HttpPort
            : throw new InvalidOperationException($"The endpoint '{endpoint.Name}' has no port to publish."));

    public async Task<string> ResolveAsync(object? value, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case null:
                return string.Empty;
            case string text:
                return text;
            case ParameterResource parameter:
                return await ParameterAsync(parameter, cancellationToken);
            case ConnectionStringReference reference:
                return await ResolveAsync(reference.Resource.ConnectionStringExpression, cancellationToken);
            case IResourceWithConnectionString resource:
                return await ResolveAsync(resource.ConnectionStringExpression, cancellationToken);
            case ReferenceExpression { IsConditional: true } conditional:
                var condition = await ResolveAsync(conditional.Condition, cancellationToken);
                return await ResolveAsync(string.Equals(condition, conditional.MatchValue, StringComparison.OrdinalIgnoreCase) ? conditional.WhenTrue : conditional.WhenFalse, cancellationToken);
            case ReferenceExpression expression:
                var arguments = new object[expression.ValueProviders.Count];
                for (var i = 0; i < arguments.Length; i++)
                {
                    var resolved = await ResolveAsync(expression.ValueProviders[i], cancellationToken);
                    arguments[i] = expression.StringFormats.ElementAtOrDefault(i) == "uri" ? Uri.EscapeDataString(resolved) : resolved;
                }
                return string.Format(CultureInfo.InvariantCulture, expression.Format, arguments);
            case EndpointReference endpoint:
                return Property(endpoint, EndpointProperty.Url);
            case EndpointReferenceExpression property:
                return Property(property.Endpoint, property.Property);
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                throw new InvalidOperationException($"A value of type {value.GetType().Name} cannot be published.");
        }
    }

    private async Task<string> ParameterAsync(ParameterResource parameter, CancellationToken cancellationToken)
    {
        var value = await parameter.GetValueAsync(cancellationToken) ?? string.Empty;
        if (!parameter.Secret)
        {
            return value;
        }
        var variable = VariableOf(parameter);
        _secrets[parameter.Name] = new SecretValue(parameter.Name, variable, value);
        return SecretReference(variable);
    }

    private string Property(EndpointReference endpoint, EndpointProperty property)
    {
        var annotation = endpoint.EndpointAnnotation;
        var (scheme, host, port) = (annotation.UriScheme, HostOf(endpoint.Resource), PortOf(annotation));
        return property switch
        {
            EndpointProperty.Url => $"{scheme}://{host}:{port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port.ToString(CultureInfo.InvariantCulture),
            EndpointProperty.HostAndPort => $"{host}:{port}",
            EndpointProperty.Scheme => scheme,
            EndpointProperty.TlsEnabled => annotation.TlsEnabled ? "True" : "False",
            _ => throw new InvalidOperationException($"The endpoint property {property} cannot be published."),
        };
    }
}
