namespace Mesh.Hosting.Orchestration;

/// <summary>Resource state changes, as events and as awaitable conditions (Aspire's ResourceNotificationService).</summary>
public sealed class ResourceNotificationService
{
    private readonly Func<IReadOnlyList<ResourceInstance>> _instances;

    internal ResourceNotificationService(Func<IReadOnlyList<ResourceInstance>> instances) => _instances = instances;

    /// <summary>Raised for every change of any instance's state.</summary>
    public event Action<ResourceInstance>? StateChanged;

    internal void Publish(ResourceInstance instance) => StateChanged?.Invoke(instance);

    /// <summary>The instances of a resource (every replica), or the one instance of that name.</summary>
    public IReadOnlyList<ResourceInstance> Find(string name) =>
        [.. _instances().Where(i => i.Name == name || i.Resource.Name == name)];

    /// <summary>Completes when every instance named (or every replica of the resource named) is healthy.</summary>
    public Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        WaitForAsync(name, instances => instances.All(i => i.Healthy), cancellationToken);

    public async Task WaitForAsync(string name, Func<IReadOnlyList<ResourceInstance>, bool> condition, CancellationToken cancellationToken = default)
    {
        var changed = new SemaphoreSlim(0);
        void OnChange(ResourceInstance _) => changed.Release();
        StateChanged += OnChange;
        try
        {
            while (true)
            {
                var instances = Find(name);
                if (instances.Count == 0)
                {
                    throw new ArgumentException($"No resource is named '{name}'.", nameof(name));
                }
                if (condition(instances))
                {
                    return;
                }
                await changed.WaitAsync(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
        finally
        {
            StateChanged -= OnChange;
            changed.Dispose();
        }
    }
}
