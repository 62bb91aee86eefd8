namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// One engine instance's slot in the prefix index: its metadata is keyed by the model it serves, its id and epoch, and
/// capped at its KV capacity. The model keeps every instance a routing decision looks at in one Redis Cluster slot.
/// </summary>
public readonly record struct EngineInstance(string Id, long Epoch, int CapacityBlocks, string Model);
