namespace Mesh.Contracts.Registry;

/// <summary>Where an engine runs: on the team's own GPUs, or at a cloud provider used as fallback.</summary>
public enum EngineTier
{
    Local,
    Cloud,
}

public static class EngineTiers
{
    public static string ToWire(this EngineTier tier) => tier == EngineTier.Cloud ? "cloud" : "local";

    public static EngineTier Parse(string value) =>
        TryParse(value, out var tier) ? tier : throw new FormatException($"'{value}' is not a tier; use 'local' or 'cloud'.");

    public static bool TryParse(string? value, out EngineTier tier)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "local":
                tier = EngineTier.Local;
                return true;
            case "cloud":
                tier = EngineTier.Cloud;
                return true;
            default:
                tier = EngineTier.Local;
                return false;
        }
    }
}
