namespace Mesh.Coordinator.PrefixIndex;

/// <summary>One engine instance's slot in the prefix index: its metadata is keyed by id and epoch and capped at its KV capacity.</summary>
public readonly record struct EngineInstance(string Id, long Epoch, int CapacityBlocks);
