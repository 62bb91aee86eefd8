namespace Mesh.Hosting.Orchestration;

/// <summary>Prints one line per resource instance whenever its state changes: <c>&lt;name&gt; &lt;state&gt; &lt;url&gt;</c>.</summary>
internal sealed class ConsoleReporter
{
    private readonly Lock _lock = new();

    public void Print(ResourceInstance instance)
    {
        var url = instance.Url?.ToString().TrimEnd('/') ?? (instance.Port is { } port ? $"127.0.0.1:{port}" : string.Empty);
        var restarts = instance.Restarts > 0 ? $"  (restarts: {instance.Restarts})" : string.Empty;
        var color = instance.State switch
        {
            ResourceState.Running => ConsoleColor.Green,
            ResourceState.Starting or ResourceState.Waiting or ResourceState.Stopping => ConsoleColor.DarkYellow,
            _ => ConsoleColor.Red,
        };
        lock (_lock)
        {
            Console.Write($"  {instance.Name,-22} ");
            var previous = Console.ForegroundColor;
            Console.ForegroundColor = color;
            Console.Write($"{instance.State,-14}");
            Console.ForegroundColor = previous;
            Console.WriteLine($" {url}{restarts}");
        }
    }
}
