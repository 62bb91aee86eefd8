using Mesh.Hosting.Processes;

namespace Mesh.Hosting.Testing;

/// <summary>
/// A Redis Cluster for tests: <c>redis-server --cluster-enabled yes</c> nodes that the app model starts (see
/// <see cref="RedisClusterBuilderExtensions.AddRedisCluster"/>), sharing one password, joined into one cluster by
/// <c>redis-cli --cluster create</c> once every node is ready. Disposing removes the nodes' cluster files.
/// </summary>
public sealed class RedisCluster : IDisposable
{
    internal RedisCluster(string name, IReadOnlyList<int> ports, string password, string directory)
    {
        Name = name;
        Ports = ports;
        Password = password;
        Directory = directory;
    }

    public string Name { get; }

    public IReadOnlyList<int> Ports { get; }

    public string Password { get; }

    /// <summary>Where the nodes keep their <c>nodes-&lt;port&gt;.conf</c>.</summary>
    public string Directory { get; }

    /// <summary>The resource names of the nodes: <c>&lt;name&gt;-0</c>, <c>&lt;name&gt;-1</c>...</summary>
    public IReadOnlyList<string> NodeNames => [.. Ports.Select((_, i) => $"{Name}-{i}")];

    /// <summary>Every node, in StackExchange.Redis's syntax; the client learns the slot map from any of them.</summary>
    public string ConnectionString => string.Join(",", Ports.Select(p => $"127.0.0.1:{p}")) + $",password={Password}";

    /// <summary>
    /// Joins the started nodes into one cluster, the slots spread evenly and no replicas: waits until each node says it
    /// accepts connections, runs <c>redis-cli --cluster create</c>, then waits until each node says its cluster state is ok.
    /// </summary>
    public async Task CreateAsync(DistributedApplication app, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var logs = new LogBuffer(200);
        try
        {
            foreach (var node in NodeNames)
            {
                await WaitForLineAsync(app.ResourceNotifications.Find(node).Single().Logs, "Ready to accept connections", deadline.Token);
            }
            var cli = FindOnPath("redis-cli") ?? throw new InvalidOperationException("redis-cli is not on the PATH.");
            await using var create = ManagedProcess.Start(new ProcessSpec(cli,
                ["--cluster", "create", .. Ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes", "-a", Password, "--no-auth-warning"],
                new Dictionary<string, string>()), logs, TimeProvider.System);
            var exitCode = await create.Exited.WaitAsync(deadline.Token);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create exited with {exitCode}:\n{logs.Tail(40)}");
            }
            // Each node turns its cluster state to ok on its own, a moment after the slots are assigned; until then it
            // answers CLUSTERDOWN.
            foreach (var node in NodeNames)
            {
                await WaitForLineAsync(app.ResourceNotifications.Find(node).Single().Logs, "Cluster state changed: ok", deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The Redis cluster '{Name}' was not created within {timeout}.\n{logs.Tail(40)}\n{app.DescribeResources()}");
        }
    }

    /// <summary>Completes once a line containing <paramref name="text"/> has been written, before or after the call.</summary>
    private static async Task WaitForLineAsync(LogBuffer logs, string text, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(LogLine line)
        {
            if (line.Text.Contains(text, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
        }
        logs.LineAdded += OnLine;
        try
        {
            if (!logs.Snapshot().Any(line => line.Text.Contains(text, StringComparison.Ordinal)))
            {
                await seen.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            logs.LineAdded -= OnLine;
        }
    }

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
