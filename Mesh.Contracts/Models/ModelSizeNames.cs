namespace Mesh.Contracts.Models;

/// <summary>The named model sizes an engine builds from a seed (<c>Engine:Model</c>), as the engine and the AppHost know them.</summary>
public static class ModelSizeNames
{
    /// <summary>6.5M parameters, for tests.</summary>
    public const string Tiny = "tiny";

    /// <summary>34M parameters, the demo.</summary>
    public const string Small = "small";

    public static IReadOnlyList<string> All { get; } = [Tiny, Small];
}
