namespace Mesh.Hosting.ApplicationModel;

/// <summary>Marks the dashboard project and carries its ports and secrets, so every other project can export telemetry to it.</summary>
public sealed record DashboardAnnotation(DashboardSettings Settings) : IResourceAnnotation;
