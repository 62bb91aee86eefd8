using Aspire.Hosting.ApplicationModel;
using Mesh.Aspire.Hosting.Lifecycle;
using Aspire.Hosting.Lifecycle;

namespace Aspire.Hosting;

public static class RestartOnExitExtensions
{
    /// <summary>
    /// Starts a replica again when it exits on its own (see <see cref="RestartOnExitAnnotation"/>): after
    /// <paramref name="firstDelay"/> (200 ms by default), doubling up to <paramref name="maxDelay"/> (10 s) while it keeps exiting.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnExit<T>(this IResourceBuilder<T> builder, TimeSpan? firstDelay = null, TimeSpan? maxDelay = null)
        where T : IResource
    {
        builder.ApplicationBuilder.Services.TryAddEventingSubscriber<RestartExitedReplicas>();
        return builder.WithAnnotation(
            new RestartOnExitAnnotation(firstDelay ?? TimeSpan.FromMilliseconds(200), maxDelay ?? TimeSpan.FromSeconds(10)),
            ResourceAnnotationMutationBehavior.Replace);
    }
}
