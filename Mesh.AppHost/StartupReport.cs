using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mesh.Aspire.Hosting.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mesh.AppHost;

/// <summary>
/// What a person at the console needs: where the dashboard and the coordinator are, which Redis the mesh took and why,
/// one line per resource state change, then one line once every engine is routable, with a <c>curl</c> to paste.
/// </summary>
internal static class StartupReport
{
    public static void Start(DistributedApplication app, MeshApp mesh)
    {
        var started = Stopwatch.StartNew();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        var settings = mesh.Settings;
        Console.WriteLine("Mesh is starting.");
        if (configuration["ASPNETCORE_URLS"]?.Split(';')[0] is { Length: > 0 } dashboard)
        {
            Console.WriteLine($"  Dashboard:   {dashboard.TrimEnd('/')}/login?t={configuration["AppHost:BrowserToken"]}");
        }
        Console.WriteLine($"  Redis:       {Describe(mesh.Redis)}");
        Console.WriteLine($"  Engines:     {settings.Engines.Replicas} x {settings.Engines.Model}{(settings.Engines.Simulated ? " (simulated)" : string.Empty)}");
        _ = Task.Run(async () =>
        {
            try
            {
                await ReportAsync(app, mesh, started, lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private static string Describe(RedisChoice choice) => choice.Mode switch
    {
        RedisMode.Container => $"Aspire's Redis container ({choice.Reason})",
        RedisMode.Executable => $"this machine's redis-server ({choice.Reason})",
        RedisMode.External => $"an external Redis ({choice.Reason})",
        _ => $"none: each coordinator keeps its prefix index in process ({choice.Reason})",
    };

    private static async Task ReportAsync(DistributedApplication app, MeshApp mesh, Stopwatch started, CancellationToken stopping)
    {
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var states = Task.Run(async () =>
        {
            var last = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var update in notifications.WatchAsync(stopping))
            {
                var state = update.Snapshot.State?.Text;
                if (state is null || update.Resource is ParameterResource || (last.TryGetValue(update.ResourceId, out var seen) && seen == state))
                {
                    continue;
                }
                last[update.ResourceId] = state;
                var url = update.Snapshot.Urls.FirstOrDefault(u => !u.IsInternal)?.Url ?? string.Empty;
                Console.WriteLine($"  {update.ResourceId,-26} {state,-14} {url}");
            }
        }, stopping);

        await notifications.WaitForResourceHealthyAsync(mesh.Entry.Name, stopping);
        var entry = mesh.Entry.GetEndpoint("http").Url;
        var expected = mesh.Settings.Engines.Replicas + (mesh.Settings.Cloud.Enabled && string.IsNullOrEmpty(mesh.Settings.Cloud.Url) ? 1 : 0);
        using var client = new HttpClient { BaseAddress = new Uri(entry), Timeout = TimeSpan.FromSeconds(5) };
        if (mesh.Settings.Coordinator.ApiKey is { Length: > 0 } key)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }
        while (await ActiveEnginesAsync(client, stopping) < expected)
        {
            await Task.Delay(100, stopping);
        }
        Console.WriteLine();
        Console.WriteLine($"The mesh is ready after {started.Elapsed.TotalSeconds:F1} s: {expected} engines routable at {entry}. Try:");
        Console.WriteLine($$"""
              curl -N {{entry}}/v1/chat/completions -H 'Content-Type: application/json' \
                -d '{"model":"mesh-{{mesh.Settings.Engines.Model}}","stream":true,"max_tokens":32,"messages":[{"role":"user","content":"Hello, mesh!"}]}'
            """);
        if (mesh.Workflow is { } workflowResource)
        {
            var workflow = workflowResource.GetEndpoint("http").Url;
            Console.WriteLine($$"""
                The Semantic Kernel workflow (plan, sub-questions in parallel, a streamed synthesis), over HTTP or from a console:
                  curl {{workflow}}/workflows/run -H 'Content-Type: application/json' -d '{"question":"Explain photosynthesis"}'
                  dotnet run --project Mesh.Workflow -- --coordinator {{entry}} "Explain photosynthesis"
                """);
        }
        Console.WriteLine("(The engines run synthetic weights: the text is meaningless; the routing, caching and timing are real.)");
        Console.WriteLine("Press Ctrl+C to stop.");
        await states;
    }

    private static async Task<int> ActiveEnginesAsync(HttpClient client, CancellationToken stopping)
    {
        try
        {
            var state = await client.GetFromJsonAsync<JsonObject>(new Uri("/v1/mesh/engines", UriKind.Relative), stopping);
            return (int?)state?["active_engines"] ?? 0;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }
}
