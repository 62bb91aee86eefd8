using System.Diagnostics;
using Mesh.AppHost;
using Mesh.Hosting;

var builder = DistributedApplication.CreateBuilder(args);
var options = MeshAppModel.Define(builder);
await using var app = builder.Build();

var started = Stopwatch.StartNew();
var coordinator = app.GetEndpoint("coordinator").ToString().TrimEnd('/');
Console.WriteLine("Mesh is starting.");
if (app.Dashboard is { } dashboard)
{
    Console.WriteLine($"  Dashboard:   {dashboard.LoginUrl}");
}
else
{
    Console.WriteLine("  Dashboard:   not part of this build; telemetry export is off.");
}
if (app.GetConnectionString("redis") is null)
{
    Console.WriteLine("  Redis:       redis-server is not installed; the coordinator uses its embedded prefix index (apt-get install redis-server for the shared one).");
}
Console.WriteLine($"  Coordinator: {coordinator}");
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
