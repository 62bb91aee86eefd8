using Mesh.Contracts.Resources;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Processes;

namespace Mesh.Hosting.Orchestration;

/// <summary>
/// One running instance of a resource (a replica): its process, console log, state and restarts. Its monitor
/// launches the process, probes its health, and restarts it with backoff when it exits on its own and the
/// resource's restart policy allows.
/// </summary>
public sealed class ResourceInstance
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private readonly Lock _lock = new();
    private ResourceState _state = ResourceState.Waiting;

    internal ResourceInstance(Resource resource, string name, int? port, int logLines)
    {
        Resource = resource;
        Name = name;
        Port = port;
        Url = port is { } p && resource.HasHttpEndpoint ? new Uri($"http://127.0.0.1:{p}") : null;
        Logs = new LogBuffer(logLines);
    }

    public Resource Resource { get; }

    /// <summary>The resource's name, or for a replica <c>&lt;name&gt;-&lt;8 letters&gt;</c>.</summary>
    public string Name { get; }

    public int? Port { get; }

    public Uri? Url { get; }

    public LogBuffer Logs { get; }

    public ManagedProcess? Process { get; private set; }

    public ResourceState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    public bool Healthy => State == ResourceState.Running;

    public int Restarts { get; private set; }

    public int? ExitCode { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    /// <summary>Raised on every state change (on the monitor's thread).</summary>
    internal event Action<ResourceInstance>? StateChanged;

    internal async Task MonitorAsync(Func<ResourceInstance, Task<ProcessSpec>> specFor, TimeProvider time, CancellationToken stopping)
    {
        var everHealthy = false;
        while (!stopping.IsCancellationRequested)
        {
            ManagedProcess process;
            try
            {
                var spec = await specFor(this);
                Environment = spec.Environment.ToDictionary(e => e.Key, e => SecretMasking.Apply(e.Key, e.Value), StringComparer.Ordinal);
                SetState(ResourceState.Starting);
                process = ManagedProcess.Start(spec, Logs, time);
                Process = process;
                StartedAt = time.GetUtcNow();
                ExitCode = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Logs.Add($"Failed to start: {ex.Message}", true, time.GetUtcNow());
                SetState(ResourceState.FailedToStart);
                return;
            }

            everHealthy |= await ProbeUntilExitAsync(process, stopping);
            if (stopping.IsCancellationRequested)
            {
                return;
            }
            ExitCode = process.Exited.IsCompleted ? await process.Exited : null;
            SetState(everHealthy ? ResourceState.Exited : ResourceState.FailedToStart);
            var policy = Resource.Restart;
            if (!policy.Enabled || Restarts >= policy.MaxRestarts)
            {
                return;
            }
            Restarts++;
            var delay = policy.DelayBefore(Restarts);
            Logs.Add($"Exited with {ExitCode}; restart {Restarts} in {delay.TotalMilliseconds:F0} ms.", true, time.GetUtcNow());
            try
            {
                await Task.Delay(delay, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Probes health until the process exits or the app stops; returns whether it was ever healthy.</summary>
    private async Task<bool> ProbeUntilExitAsync(ManagedProcess process, CancellationToken stopping)
    {
        var everHealthy = false;
        while (!process.HasExited && !stopping.IsCancellationRequested)
        {
            var healthy = await HealthProbe.CheckAsync(this, stopping);
            if (process.HasExited || stopping.IsCancellationRequested)
            {
                break;
            }
            everHealthy |= healthy;
            SetState(healthy ? ResourceState.Running : everHealthy ? ResourceState.Unhealthy : ResourceState.Starting);
            await Task.WhenAny(process.Exited, Task.Delay(ProbeInterval, stopping));
        }
        return everHealthy;
    }

    internal async Task StopAsync(TimeSpan grace)
    {
        if (Process is { HasExited: false } process)
        {
            SetState(ResourceState.Stopping);
            await process.StopAsync(grace);
            ExitCode = process.Exited.IsCompleted ? await process.Exited : null;
        }
        SetState(ResourceState.Exited);
    }

    internal void SetState(ResourceState state)
    {
        lock (_lock)
        {
            if (_state == state)
            {
                return;
            }
            _state = state;
        }
        StateChanged?.Invoke(this);
    }

    public ResourceSnapshot ToSnapshot() => new()
    {
        Name = Name,
        Resource = Resource.Name,
        Type = Resource.Type,
        State = State.ToString(),
        Healthy = Healthy,
        Endpoints = Url is null ? [] : [Url.ToString().TrimEnd('/')],
        ProcessId = Process?.HasExited == false ? Process.ProcessId : null,
        Restarts = Restarts,
        ExitCode = ExitCode,
        StartedAt = StartedAt,
        Environment = Environment,
    };
}
