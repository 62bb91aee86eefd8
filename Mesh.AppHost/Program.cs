using System.Diagnostics;
using Mesh.AppHost;
using Mesh.Hosting;
using Mesh.Hosting.Publishing;
using Microsoft.Extensions.Configuration;

if (args is ["publish", .. var publishArgs])
{
    // `publish --target kubernetes|compose --output <dir> [--registry <prefix>] [--tag <tag>]`, plus any --Mesh:... setting.
    var publishBuilder = DistributedApplication.CreateBuilder(publishArgs);
    MeshAppModel.Define(publishBuilder);
    var publish = new PublishOptions
    {
        Target = publishBuilder.Configuration["target"] ?? string.Empty,
        OutputDirectory = publishBuilder.Configuration["output"] ?? string.Empty,
        Registry = publishBuilder.Configuration["registry"],
        Tag = publishBuilder.Configuration["tag"] ?? "latest",
    };
    if (publish.Target is not (PublishTargets.Kubernetes or PublishTargets.Compose) || publish.OutputDirectory.Length == 0)
    {
        Console.Error.WriteLine("Usage: publish --target kubernetes|compose --output <dir> [--registry <prefix>] [--tag <tag>] [--Mesh:...=...]");
        return 2;
    }
    foreach (var path in await Publisher.PublishAsync(publishBuilder, publish))
    {
        Console.WriteLine($"  wrote {path}");
    }
    return 0;
}

var builder = DistributedApplication.CreateBuilder(args);
var options = MeshAppModel.Define(builder);
await using var app = builder.Build();

var started = Stopwatch.StartNew();
var entry = app.Resources.Any(r => r.Name == MeshAppModel.FrontResource) ? MeshAppModel.FrontResource : "coordinator";
var coordinator = app.GetEndpoint(entry).ToString().TrimEnd('/');
Console.WriteLine("Mesh is starting.");
if (app.Dashboard is { } dashboard)
{
    Console.WriteLine($"  Dashboard:   {dashboard.LoginUrl}");
}
else
{
    Console.WriteLine("  Dashboard:   not part of this build; telemetry export is off.");
}
if (options.Redis.ConnectionString is null && app.GetConnectionString("redis") is null)
{
    Console.WriteLine("  Redis:       redis-server is not installed; the coordinator uses its embedded prefix index (apt-get install redis-server for the shared one).");
}
Console.WriteLine($"  Coordinator: {coordinator}{(entry == MeshAppModel.FrontResource ? $" (a round-robin front for {options.Coordinator.Replicas} coordinators)" : string.Empty)}");
Console.WriteLine($"  Engines:     {options.Engines.Replicas} x {options.Engines.Model}{(options.Engines.Simulated ? " (simulated)" : string.Empty)}");
Console.WriteLine();

_ = Task.Run(async () =>
{
    foreach (var resource in app.Resources.Where(r => r.IsAvailable))
    {
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name);
    }
    Console.WriteLine();
    Console.WriteLine($"All resources are healthy after {started.Elapsed.TotalSeconds:F1} s. Try:");
    Console.WriteLine($$"""
          curl -N {{coordinator}}/v1/chat/completions -H 'Content-Type: application/json' \
            -d '{"model":"mesh-{{options.Engines.Model}}","stream":true,"max_tokens":32,"messages":[{"role":"user","content":"Hello, mesh!"}]}'
        """);
    if (app.Resources.Any(r => r.Name == "workflow"))
    {
        var workflow = app.GetEndpoint("workflow").ToString().TrimEnd('/');
        Console.WriteLine($$"""
            The Semantic Kernel workflow (plan, sub-questions in parallel, a streamed synthesis), over HTTP or from a console:
              curl {{workflow}}/workflows/run -H 'Content-Type: application/json' -d '{"question":"Explain photosynthesis"}'
              dotnet run --project Mesh.Workflow -- --coordinator {{coordinator}} "Explain photosynthesis"
            """);
    }
    Console.WriteLine("(The engines run synthetic weights: the text is meaningless; the routing, caching and timing are real.)");
    Console.WriteLine("Press Ctrl+C to stop.");
});

await app.RunAsync();
return 0;
