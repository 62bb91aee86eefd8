namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// What the index says of one engine for one prompt: how many leading blocks of the prompt it holds, and how many
/// reused (protected) blocks it holds in all: the part of its cache that a new placement there would eventually push out.
/// </summary>
public readonly record struct PrefixMatch(int MatchedBlocks, int ProtectedBlocks);
