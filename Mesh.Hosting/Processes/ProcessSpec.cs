namespace Mesh.Hosting.Processes;

/// <summary>What to launch: a file, its arguments, its environment and working directory.</summary>
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment, string? WorkingDirectory = null);
