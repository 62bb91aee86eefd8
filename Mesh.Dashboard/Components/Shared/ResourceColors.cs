namespace Mesh.Dashboard.Components.Shared;

/// <summary>A stable color per name (resource, series), so the same resource has the same color on every page.</summary>
internal static class ResourceColors
{
    private static readonly string[] Palette =
    [
        "#5b5fc7", "#0f8a7e", "#c2571a", "#8a3ffc", "#1f77b4", "#d62976", "#6b8e23", "#b8860b", "#2f6f9f", "#a0522d",
    ];

    public static string For(string name)
    {
        // FNV-1a: deterministic across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return Palette[hash % (uint)Palette.Length];
    }

    public static string ByIndex(int index) => Palette[index % Palette.Length];
}
