using System.Globalization;

namespace Mesh.Testing;

/// <summary>Processes by their parent, read from /proc: what a process started, and whether a process is still there.</summary>
public static class ProcessTree
{
    /// <summary>The direct children of a process, from the kernel's own list of each of its threads' children.</summary>
    public static List<int> Children(int pid)
    {
        var children = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    children.Add(int.Parse(child, CultureInfo.InvariantCulture));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The process ended while we looked.
        }
        return children;
    }

    /// <summary>Every process below <paramref name="root"/>.</summary>
    public static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }
        }
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var child in parents.Where(p => p.Value == parent).Select(p => p.Key))
            {
                found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>
    /// The process that does the work: Aspire runs a project as <c>dotnet run --no-build</c>, whose child is the service
    /// itself; any other process is its own.
    /// </summary>
    public static int Service(int pid)
    {
        var commandLine = File.Exists($"/proc/{pid}/cmdline") ? File.ReadAllText($"/proc/{pid}/cmdline").Split('\0') : [];
        return commandLine is [var program, "run", ..] && Path.GetFileName(program) == "dotnet" && Children(pid) is [var service, ..] ? service : pid;
    }

    /// <summary>
    /// Every process an AppHost runs: its descendants, and DCP's, which detaches from the AppHost and watches it
    /// instead (<c>dcp … --monitor &lt;pid&gt;</c>), as each DCP process watches the one that started it.
    /// </summary>
    public static List<int> OfAppHost(int appHost)
    {
        var found = new HashSet<int>([appHost]);
        var grew = true;
        while (grew)
        {
            var before = found.Count;
            foreach (var pid in found.ToList())
            {
                found.UnionWith(Descendants(pid));
                found.UnionWith(Monitoring(pid));
            }
            grew = found.Count > before;
        }
        found.Remove(appHost);
        return [.. found];
    }

    /// <summary>The processes started with <c>--monitor &lt;pid&gt;</c>.</summary>
    private static IEnumerable<int> Monitoring(int pid)
    {
        var marker = $"--monitor\0{pid.ToString(CultureInfo.InvariantCulture)}\0";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate))
            {
                string commandLine;
                try
                {
                    commandLine = File.ReadAllText(Path.Combine(dir, "cmdline"));
                }
                catch (IOException)
                {
                    continue;
                }
                if (commandLine.Contains(marker, StringComparison.Ordinal))
                {
                    yield return candidate;
                }
            }
        }
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
}
