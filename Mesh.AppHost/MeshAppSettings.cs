using Mesh.Aspire.Hosting.Redis;
using Mesh.Contracts.Compute;
using Mesh.Contracts.Models;
using Microsoft.Extensions.Configuration;

namespace Mesh.AppHost;

/// <summary>
/// The <c>Mesh:</c> settings, read and checked before any resource is added: a bad one stops the AppHost with one line
/// (<see cref="MeshSettingsException"/>) and nothing starts.
/// </summary>
public sealed record MeshAppSettings(MeshAppOptions Settings, RedisMode RedisMode)
{
    public static MeshAppSettings Read(IConfiguration configuration)
    {
        MeshAppOptions options;
        try
        {
            options = configuration.GetSection(MeshAppOptions.Section).Get<MeshAppOptions>() ?? new MeshAppOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new MeshSettingsException($"a Mesh: setting has the wrong type: {ex.InnerException?.Message ?? ex.Message}");
        }
        if (!Enum.TryParse<RedisMode>(options.Redis.Mode, ignoreCase: true, out var redisMode) || !Enum.IsDefined(redisMode))
        {
            throw new MeshSettingsException($"Mesh:Redis:Mode is '{options.Redis.Mode}'; it must be one of {string.Join(", ", Enum.GetNames<RedisMode>())}.");
        }
        if (options.Redis.ConnectionString is { Length: > 0 } connectionString)
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(connectionString);
            }
            catch (ArgumentException ex)
            {
                throw new MeshSettingsException($"Mesh:Redis:ConnectionString is not a Redis connection string: {ex.Message}");
            }
        }
        var engines = options.Engines;
        if (!ModelSizeNames.All.Contains(engines.Model, StringComparer.OrdinalIgnoreCase))
        {
            throw new MeshSettingsException($"Mesh:Engines:Model is '{engines.Model}'; the engines serve {string.Join(" and ", ModelSizeNames.All)}.");
        }
        if (!System.Text.RegularExpressions.Regex.IsMatch(engines.Backend, ComputeBackendNames.Pattern))
        {
            throw new MeshSettingsException($"Mesh:Engines:Backend is '{engines.Backend}'; it must be cpu, cuda, auto or ilgpu-cpu.");
        }
        if (engines.Replicas < 1 || options.Coordinator.Replicas < 1)
        {
            throw new MeshSettingsException("Mesh:Engines:Replicas and Mesh:Coordinator:Replicas must be at least 1.");
        }
        if (options.Coordinator.Port is < 0 or > 65535 || options.Workflow.Port is < 0 or > 65535)
        {
            throw new MeshSettingsException("Mesh:Coordinator:Port and Mesh:Workflow:Port must be a port number, or 0 for a free one.");
        }
        return new MeshAppSettings(options, redisMode);
    }
}
