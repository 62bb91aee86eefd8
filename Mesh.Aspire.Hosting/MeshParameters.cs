using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Parameters of the mesh: secrets generated for each run unless configured (<c>Parameters:&lt;name&gt;</c>).</summary>
public static class MeshParameters
{
    /// <summary>A secret parameter whose value is <c>Parameters:&lt;name&gt;</c> when set, else generated for this run.</summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name, int length = 32)
    {
        var configured = builder.Configuration[$"Parameters:{name}"];
        var parameter = new ParameterResource(name, @default => configured is { Length: > 0 } ? configured : @default!.GetDefaultValue(), secret: true)
        {
            Default = new GenerateParameterDefault { MinLength = length, Special = false },
        };
        return builder.AddResource(parameter);
    }

    /// <summary>
    /// The mesh secret: it signs the engines' heartbeats and derives the key the engines require of their callers.
    /// Every engine and coordinator of one mesh must have the same one (<see cref="MeshSecretExtensions.WithMeshSecret{T}"/>).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddMeshSecret(this IDistributedApplicationBuilder builder, string name = "mesh-secret") =>
        builder.AddGeneratedSecret(name, 64);
}
