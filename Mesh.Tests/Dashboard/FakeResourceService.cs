using System.Net;
using System.Text.Json;
using Mesh.Contracts.Resources;
using Mesh.Hosting.Networking;
using Mesh.Contracts.Http;

namespace Mesh.Tests.Dashboard;

/// <summary>
/// A stand-in for the orchestrator's resource service (the contract of <see cref="ResourceSnapshot"/>): two engine
/// replicas and a coordinator, and console lines that grow while it runs. It answers 401 without the right key.
/// </summary>
public sealed class FakeResourceService : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public FakeResourceService(string apiKey)
    {
        ApiKey = apiKey;
        var port = PortAllocator.Next();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Url { get; }

    public string ApiKey { get; }

    private int _unauthorizedRequests;

    public int UnauthorizedRequests => Volatile.Read(ref _unauthorizedRequests);

    public static IReadOnlyList<ResourceSnapshot> Resources { get; } =
    [
        new()
        {
            Name = "coordinator", Resource = "coordinator", Type = "Project", State = "Running", Healthy = true,
            Endpoints = ["http://127.0.0.1:5100"], ProcessId = 4242, Restarts = 0, StartedAt = DateTimeOffset.UtcNow.AddMinutes(-3),
            Environment = new Dictionary<string, string>
            {
                ["OTEL_SERVICE_NAME"] = "coordinator",
                ["ConnectionStrings__redis"] = "127.0.0.1:6379,password=hunter2",
                ["OTEL_EXPORTER_OTLP_HEADERS"] = $"{DashboardHeaders.OtlpApiKey}=secret",
            },
        },
        new()
        {
            Name = MeshScenario.ChosenEngine, Resource = "engine", Type = "Project", State = "Running", Healthy = true,
            Endpoints = ["http://127.0.0.1:5201"], ProcessId = 4243, Restarts = 1, StartedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            Environment = new Dictionary<string, string> { ["OTEL_SERVICE_NAME"] = "engine", ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={MeshScenario.ChosenEngine}" },
        },
        new()
        {
            Name = MeshScenario.OtherEngine, Resource = "engine", Type = "Project", State = "Starting", Healthy = false,
            Endpoints = [], ProcessId = null, Restarts = 0,
        },
    ];

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            try
            {
                Answer(context);
            }
            catch (HttpListenerException)
            {
                // The dashboard went away mid-answer.
            }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        using var response = context.Response;
        if (context.Request.Headers[DashboardHeaders.ResourceServiceKey] != ApiKey)
        {
            Interlocked.Increment(ref _unauthorizedRequests);
            response.StatusCode = 401;
            return;
        }
        var path = context.Request.Url!.AbsolutePath.TrimEnd('/');
        byte[] body;
        if (path == "/resources")
        {
            body = JsonSerializer.SerializeToUtf8Bytes([.. Resources], ResourceJsonContext.Default.ResourceSnapshotArray);
        }
        else if (path.StartsWith("/resources/", StringComparison.Ordinal) && path.EndsWith("/logs", StringComparison.Ordinal))
        {
            var name = Uri.UnescapeDataString(path["/resources/".Length..^"/logs".Length]);
            var after = long.TryParse(context.Request.QueryString["after"], out var parsed) ? parsed : 0;
            // One line per 200 ms of uptime, so a follower sees the console grow.
            var total = 3 + (long)((DateTimeOffset.UtcNow - _started).TotalMilliseconds / 200);
            var lines = Enumerable.Range(1, (int)Math.Min(total, 400))
                .Where(sequence => sequence > after)
                .Select(sequence => new ResourceLogLine(sequence, _started.AddMilliseconds(sequence * 200), sequence % 7 == 0,
                    sequence % 7 == 0 ? $"{name}: warn: slow step {sequence}" : $"{name}: info: handled request {sequence}"))
                .ToArray();
            body = JsonSerializer.SerializeToUtf8Bytes(lines, ResourceJsonContext.Default.ResourceLogLineArray);
        }
        else
        {
            response.StatusCode = 404;
            return;
        }
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _serving;
        }
        catch (ObjectDisposedException)
        {
            // Stopped while waiting.
        }
        _stopping.Dispose();
    }
}
