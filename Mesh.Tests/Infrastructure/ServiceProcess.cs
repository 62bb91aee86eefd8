using Mesh.Hosting.Networking;
using Mesh.Hosting.Processes;

namespace Mesh.Tests.Infrastructure;

/// <summary>A real service process (an engine or a coordinator) on a free loopback port, healthy before the test uses it.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private ServiceProcess(string project, int port, ManagedProcess process)
    {
        Project = project;
        Port = port;
        Process = process;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Project { get; }

    public int Port { get; }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    public ManagedProcess Process { get; }

    public static async Task<ServiceProcess> StartAsync(
        string project, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        var chosen = port ?? PortAllocator.Next();
        var spec = new ProcessSpec(
            "dotnet",
            [Repository.ProjectDll(project), "--urls", $"http://127.0.0.1:{chosen}", .. arguments],
            environment ?? new Dictionary<string, string>(),
            Path.Combine(Repository.Root, project));
        var process = ManagedProcess.Start(spec, new LogBuffer(2000), TimeProvider.System);
        var service = new ServiceProcess(project, chosen, process);
        await service.WaitHealthyAsync(Eventually.DefaultTimeout);
        return service;
    }

    public Task WaitHealthyAsync(TimeSpan timeout) =>
        Eventually.TrueAsync(async () =>
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"{Project} exited with {await Process.Exited}:\n{Process.Logs.Tail(60)}");
            }
            using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, () => $"{Project} is not healthy:\n{Process.Logs.Tail(60)}", timeout);

    /// <summary>The last lines of its console, for assertion messages.</summary>
    public string Logs => Process.Logs.Tail(80);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Process.DisposeAsync();
    }
}
