using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Publishing;

/// <summary>
/// <c>publish</c>: writes the app model as Kubernetes manifests or a Compose file, from the same resources and the same
/// environment callbacks a local run uses. Nothing is launched.
/// </summary>
public static class Publisher
{
    /// <summary>Writes the manifests and returns the paths written.</summary>
    public static async Task<IReadOnlyList<string>> PublishAsync(IDistributedApplicationBuilder builder, PublishOptions options, CancellationToken cancellationToken = default)
    {
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, new(options), validateAllProperties: true);
        var files = options.Target switch
        {
            PublishTargets.Kubernetes => KubernetesPublisher.Write(builder.Resources, options),
            PublishTargets.Compose => ComposePublisher.Write(builder.Resources, options),
            _ => throw new ArgumentException($"Unknown publish target '{options.Target}': use {PublishTargets.Kubernetes} or {PublishTargets.Compose}.", nameof(options)),
        };
        Directory.CreateDirectory(options.OutputDirectory);
        var written = new List<string>();
        foreach (var (file, text) in files)
        {
            var path = Path.Combine(options.OutputDirectory, file);
            await File.WriteAllTextAsync(path, text, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                // Every file may hold secrets (a Secret, the .env): readable by the owner only.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            written.Add(path);
        }
        return written;
    }
}
