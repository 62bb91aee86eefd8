namespace Mesh.Hosting.Processes;

/// <summary>One line a process wrote, with when and where (stdout or stderr).</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Timestamp, bool IsError, string Text);
