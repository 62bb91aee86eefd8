using Mesh.Contracts.Registry;
using Mesh.Contracts.Security;
using Mesh.Contracts.Tokenization;
using Mesh.Engine.Api;
using Mesh.Engine.Model;
using Mesh.Engine.Registry;
using Mesh.Engine.Scheduling;
using Mesh.Engine.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Engine;

public static class EngineServiceExtensions
{
    /// <summary>Registers the model, KV cache, scheduler, API and (when <c>ConnectionStrings:redis</c> is set) the Redis heartbeat.</summary>
    public static IHostApplicationBuilder AddEngine(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EngineOptions>()
            .Bind(builder.Configuration.GetSection(EngineOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => MeshTokenizer.Instance);

        ClaimCudaDevice(builder);
        services.AddSingleton(provider => EngineModelLoader.Load(
            provider.GetRequiredService<IOptions<EngineOptions>>().Value,
            provider.GetRequiredService<MeshTokenizer>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Engine.Model")));
        services.AddSingleton(provider => provider.GetRequiredService<EngineModelLoader.LoadedModel>().Info);
        services.AddSingleton(provider => provider.GetRequiredService<EngineModelLoader.LoadedModel>().Runner);
        services.AddSingleton(provider => provider.GetRequiredService<EngineModelLoader.LoadedModel>().Blocks);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EngineOptions>>().Value;
            var blocks = provider.GetRequiredService<EngineModelLoader.LoadedModel>().Blocks;
            var tier = EngineTiers.Parse(options.Tier);
            var id = options.Id ?? EngineIdentity.DefaultId(builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"], builder.Configuration["OTEL_SERVICE_NAME"]);
            return new EngineIdentity(id, tier, provider.GetRequiredService<ModelInfo>(), blocks.Capacity, blocks.BlockSize,
                provider.GetRequiredService<TimeProvider>())
            {
                Url = options.PublicUrl,
            };
        });

        services.AddSingleton<EngineStatistics>();
        services.AddSingleton<EngineMetrics>();
        services.AddSingleton<EngineScheduler>();
        services.AddSingleton<SchedulerHostedService>();
        services.AddHostedService(provider => provider.GetRequiredService<SchedulerHostedService>());
        services.AddHealthChecks().AddCheck<SchedulerHostedService>("scheduler");
        services.AddSingleton<EngineAddress>();
        services.AddHostedService(provider => provider.GetRequiredService<EngineAddress>());
        services.AddSingleton<GenerationPlanner>();
        services.AddSingleton<CompletionHandler>();

        services.AddSingleton(new HeartbeatSigner(builder.Configuration[MeshSecret.ConfigurationKey]));
        if (builder.AddRedisClient("redis"))
        {
            services.AddHostedService<RedisHeartbeatService>();
        }
        return builder;
    }

    /// <summary>
    /// Before anything loads the CUDA driver, this replica's GPU out of <c>Engine:CudaDevices</c>, held for the life of
    /// the process; nothing for the CPU backend, or without the setting.
    /// </summary>
    private static void ClaimCudaDevice(IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(EngineOptions.Section).Get<EngineOptions>() ?? new EngineOptions();
        var devices = (options.CudaDevices ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (devices.Length == 0 || options.Simulated || options.Backend == Contracts.Compute.ComputeBackendNames.Cpu)
        {
            return;
        }
        var claim = Compute.CudaDeviceClaim.Claim(devices, Path.GetTempPath());
        Environment.SetEnvironmentVariable("CUDA_VISIBLE_DEVICES", claim.Device);
        builder.Services.AddSingleton(claim);
        builder.Services.AddHostedService(provider => new CudaClaimLog(claim, provider.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Engine.Model")));
    }

    /// <summary>Says once, at start, which GPU this replica took.</summary>
    private sealed class CudaClaimLog(Compute.CudaDeviceClaim claim, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (claim.Exclusive)
            {
                logger.LogInformation("This replica computes on GPU {Device} of Engine:CudaDevices.", claim.Device);
            }
            else
            {
                logger.LogWarning("Every GPU of Engine:CudaDevices is held by another replica: sharing GPU {Device}.", claim.Device);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
