using System.Globalization;
using System.Text;

namespace Mesh.Bench;

/// <summary>A titled markdown table, printed as it is filled and saved under <c>bench-results/</c>.</summary>
public sealed class Report(string title, params string[] columns)
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public void Row(params object[] cells)
    {
        var row = cells.Select(c => c switch
        {
            double d => d.ToString(d >= 100 ? "F0" : d >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture),
            float f => f.ToString("F2", CultureInfo.InvariantCulture),
            _ => Convert.ToString(c, CultureInfo.InvariantCulture) ?? string.Empty,
        }).ToArray();
        _rows.Add(row);
        Console.WriteLine("  " + string.Join(" | ", row));
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine("  " + note);
    }

    public string ToMarkdown()
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, _rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        string Line(IEnumerable<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {title}").AppendLine();
        text.AppendLine(Line(columns));
        text.AppendLine(Line(widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            text.AppendLine(Line(row));
        }
        foreach (var note in _notes)
        {
            text.AppendLine().AppendLine(note);
        }
        return text.ToString();
    }

    public string Save(string name)
    {
        Directory.CreateDirectory("bench-results");
        var path = Path.Combine("bench-results", name + ".md");
        File.WriteAllText(path, ToMarkdown());
        return path;
    }
}
