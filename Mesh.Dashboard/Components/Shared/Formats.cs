using System.Globalization;

namespace Mesh.Dashboard.Components.Shared;

/// <summary>How the pages write durations, times, numbers and rates: short, invariant, with the unit.</summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Duration(TimeSpan duration) => Milliseconds(duration.TotalMilliseconds);

    /// <summary>Three significant figures or so: "840 µs", "12.3 ms", "153 ms", "2.41 s".</summary>
    public static string Milliseconds(double? milliseconds) => milliseconds switch
    {
        null => "–",
        0 => "0 ms",
        < 1 => string.Create(Invariant, $"{milliseconds.Value * 1000:0.#} µs"),
        < 10 => string.Create(Invariant, $"{milliseconds.Value:0.##} ms"),
        < 100 => string.Create(Invariant, $"{milliseconds.Value:0.#} ms"),
        < 1_000 => string.Create(Invariant, $"{milliseconds.Value:0} ms"),
        < 60_000 => string.Create(Invariant, $"{milliseconds.Value / 1000:0.##} s"),
        _ => string.Create(Invariant, $"{milliseconds.Value / 60_000:0.#} min"),
    };

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("HH:mm:ss.fff", Invariant);

    public static string DateTime(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", Invariant);

    /// <summary>"3 s ago", "2 min ago".</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var elapsed = now - time;
        return elapsed.TotalSeconds switch
        {
            < 1 => "now",
            < 60 => string.Create(Invariant, $"{elapsed.TotalSeconds:0} s ago"),
            < 3600 => string.Create(Invariant, $"{elapsed.TotalMinutes:0} min ago"),
            _ => string.Create(Invariant, $"{elapsed.TotalHours:0.#} h ago"),
        };
    }

    /// <summary>Three significant figures, with k/M for large values.</summary>
    public static string Number(double? value)
    {
        if (value is not { } number || double.IsNaN(number))
        {
            return "–";
        }
        var magnitude = Math.Abs(number);
        return magnitude switch
        {
            >= 1e9 => string.Create(Invariant, $"{number / 1e9:0.##}G"),
            >= 1e6 => string.Create(Invariant, $"{number / 1e6:0.##}M"),
            >= 1e4 => string.Create(Invariant, $"{number / 1e3:0.#}k"),
            >= 100 => number.ToString("0", Invariant),
            >= 10 => number.ToString("0.#", Invariant),
            0 => "0",
            >= 0.01 => number.ToString("0.##", Invariant),
            _ => number.ToString("0.###", Invariant),
        };
    }

    public static string Rate(double? perSecond) => perSecond is null ? "–" : $"{Number(perSecond)}/s";

    public static string Percent(double? ratio) => ratio is { } value ? string.Create(Invariant, $"{value * 100:0.#}%") : "–";

    /// <summary>A value in its instrument's unit: seconds become milliseconds when small, "{token}" style units are dropped.</summary>
    public static string WithUnit(double? value, string unit)
    {
        if (value is null)
        {
            return "–";
        }
        return unit switch
        {
            "s" => Milliseconds(value * 1000),
            "ms" => Milliseconds(value),
            "By" => Bytes(value.Value),
            "1" or "" => Number(value),
            "/s" => Number(value) + "/s",
            _ when unit.StartsWith('{') => Number(value) + (unit.EndsWith("/s", StringComparison.Ordinal) ? "/s" : string.Empty),
            _ => $"{Number(value)} {unit}",
        };
    }

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => string.Create(Invariant, $"{bytes / (1 << 30):0.##} GiB"),
        >= 1 << 20 => string.Create(Invariant, $"{bytes / (1 << 20):0.##} MiB"),
        >= 1 << 10 => string.Create(Invariant, $"{bytes / (1 << 10):0.#} KiB"),
        _ => string.Create(Invariant, $"{bytes:0} B"),
    };
}
