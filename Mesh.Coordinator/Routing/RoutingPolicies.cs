using Microsoft.Extensions.Options;

namespace Mesh.Coordinator.Routing;

/// <summary>Every registered <see cref="IRoutingPolicy"/> by name, and the default one.</summary>
public sealed class RoutingPolicies
{
    private readonly Dictionary<string, IRoutingPolicy> _byName;

    public RoutingPolicies(IEnumerable<IRoutingPolicy> policies, IOptions<CoordinatorOptions> options)
    {
        _byName = policies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var name = options.Value.DefaultPolicy;
        _default = _byName.TryGetValue(name, out var policy)
            ? policy
            : throw new OptionsValidationException(CoordinatorOptions.Section, typeof(CoordinatorOptions),
                [$"Coordinator:DefaultPolicy '{name}' is not a routing policy. Use one of: {string.Join(", ", Names)}."]);
    }

    private volatile IRoutingPolicy _default;

    /// <summary>The policy of a request that names none: <c>Coordinator:DefaultPolicy</c>, until an operator changes it.</summary>
    public IRoutingPolicy Default => _default;

    /// <summary>Makes a registered policy the default for this coordinator's requests from now on.</summary>
    public bool TrySetDefault(string name)
    {
        if (!TryGet(name, out var policy))
        {
            return false;
        }
        _default = policy;
        return true;
    }

    public IEnumerable<string> Names => _byName.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string? name, out IRoutingPolicy policy) =>
        _byName.TryGetValue(name?.Trim() ?? string.Empty, out policy!);
}
