using System.Globalization;
using System.Text;

namespace Mesh.Workflow;

/// <summary>
/// <c>dotnet run --project Mesh.Workflow -- --coordinator http://127.0.0.1:5080 "Explain photosynthesis"</c>: one run,
/// printed as a table of its steps, with the trace id to look up on the dashboard.
/// </summary>
public static class ConsoleRunner
{
    public static string Format(WorkflowRun run)
    {
        string[] columns = ["step", "tier policy", "engine", "tier", "cached", "TTFT ms", "tokens/s", "total ms"];
        var rows = run.Steps.Select(s => new[]
        {
            s.Step, s.TierPolicy, s.Engine ?? "-", s.Tier ?? "-", s.CachedTokens.ToString(CultureInfo.InvariantCulture),
            s.TimeToFirstTokenMs?.ToString("F1", CultureInfo.InvariantCulture) ?? "-", s.TokensPerSecond.ToString("F1", CultureInfo.InvariantCulture),
            s.TotalTimeMs.ToString("F1", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Question: {run.Question}  (model {run.Model})");
        text.AppendLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))));
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((c, i) => i >= 4 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))));
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"Total {run.TotalTimeMs:F0} ms. Trace id: {run.TraceId ?? "(tracing is off)"}");
        text.AppendLine("(The engines run synthetic weights: the text is meaningless; the routing, caching and timing are real.)");
        return text.ToString();
    }
}
