namespace Mesh.Dashboard.MeshView;

/// <summary>A stage of a request: whether the trace has it (as a span or a span event), when and how long.</summary>
public sealed record MeshStage(string Name, bool Present, TimeSpan Offset, TimeSpan Duration, bool HasError);
