using Mesh.Dashboard;
using Mesh.Dashboard.Configuration;

WebApplication app;
try
{
    // The content root is the build output, so the dashboard finds its settings and assets wherever it is started from.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddDashboard();
    app = builder.Build();
}
catch (DashboardConfigurationException error)
{
    await Console.Error.WriteLineAsync(error.Message);
    return 2;
}

app.MapDashboard();
await app.RunAsync();
return 0;
