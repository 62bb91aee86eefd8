using Mesh.Contracts.Http;
using Mesh.Workflow;

// Two ways in: `--coordinator <url> "question"` runs once and prints a table; otherwise the HTTP service (the AppHost's `workflow`).
var coordinatorIndex = Array.IndexOf(args, "--coordinator");
if (coordinatorIndex >= 0 && coordinatorIndex + 1 < args.Length)
{
    var question = string.Join(' ', args.Where((_, i) => i != coordinatorIndex && i != coordinatorIndex + 1 && !args[i].StartsWith("--", StringComparison.Ordinal)));
    var console = Host.CreateApplicationBuilder(args.Where((_, i) => i != coordinatorIndex && i != coordinatorIndex + 1).ToArray());
    console.ConfigureOpenTelemetry();
    console.Logging.SetMinimumLevel(LogLevel.Warning); // the table is the output; the service logs go to the dashboard
    console.AddWorkflow(new Uri(args[coordinatorIndex + 1]));
    using var host = console.Build();
    await host.StartAsync();
    var run = await host.Services.GetRequiredService<ResearchWorkflow>().RunAsync(
        string.IsNullOrWhiteSpace(question) ? "Explain photosynthesis" : question, null, CancellationToken.None);
    Console.WriteLine(ConsoleRunner.Format(run));
    await host.StopAsync();
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddWorkflow();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, WorkflowJsonContext.Default));

var app = builder.Build();
app.UseOpenAIErrors();
app.MapDefaultEndpoints();
app.MapWorkflowApi();
app.Run();
