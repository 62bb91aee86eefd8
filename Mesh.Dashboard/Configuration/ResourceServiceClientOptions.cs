namespace Mesh.Dashboard.Configuration;

/// <summary>Where the orchestrator's resource service is (<c>Dashboard:ResourceServiceClient</c>); without a URL the resources page says so.</summary>
internal sealed class ResourceServiceClientOptions
{
    public string? Url { get; set; }

    public string? ApiKey { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
