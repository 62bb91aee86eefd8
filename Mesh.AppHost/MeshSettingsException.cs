namespace Mesh.AppHost;

/// <summary>A <c>Mesh:</c> setting the AppHost cannot start with; its message is the one line the console shows.</summary>
public sealed class MeshSettingsException(string message) : Exception(message);
