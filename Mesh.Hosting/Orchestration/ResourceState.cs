namespace Mesh.Hosting.Orchestration;

/// <summary>The life of a resource instance, as the console, the dashboard and the tests see it.</summary>
public enum ResourceState
{
    /// <summary>Waiting for the resources it waits for to be healthy.</summary>
    Waiting,

    /// <summary>Launched, not yet healthy.</summary>
    Starting,

    /// <summary>Healthy.</summary>
    Running,

    /// <summary>Alive, but its health check fails.</summary>
    Unhealthy,

    /// <summary>The process ended (it may be restarted).</summary>
    Exited,

    /// <summary>It could not be launched, or it exited before it was ever healthy.</summary>
    FailedToStart,

    Stopping,
}
