namespace Mesh.Testing;

/// <summary>One replica of a resource as Aspire's resource notifications last showed it, with the restarts seen so far.</summary>
public sealed record Replica(string Id, string Resource, string? State, bool Healthy, int? ProcessId, int? ExitCode, int Restarts, Uri? Url, string Health = "")
{
    /// <summary>It exited and has not run since.</summary>
    public bool Exited { get; init; }

    public bool Running => State == Aspire.Hosting.ApplicationModel.KnownResourceStates.Running;
}
