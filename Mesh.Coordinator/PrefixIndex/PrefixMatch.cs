namespace Mesh.Coordinator.PrefixIndex;

/// <summary>
/// What the index says of one engine for one prompt: how many leading blocks of the prompt it holds; how many reused
/// (protected) blocks it holds in all, the part of its cache a new placement there would eventually push out; the prompt
/// tokens that every coordinator together has sent it and not yet seen a first token for; and whether one of those is a
/// prompt with the same first block (its prefix is being computed there right now).
/// </summary>
public readonly record struct PrefixMatch(int MatchedBlocks, int ProtectedBlocks, int PendingPrefillTokens, bool PrefillingSamePrefix);
