using Mesh.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
MeshApp mesh;
try
{
    mesh = await MeshAppModel.DefineAsync(builder);
}
catch (Exception ex) when (ex is MeshSettingsException or DistributedApplicationException)
{
    Console.Error.WriteLine($"Mesh cannot start: {ex.Message}");
    return 1;
}

await using var app = builder.Build();
// Under Aspire's testing builder this entry point runs inside the test process, whose console belongs to the test runner.
var underTest = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Aspire.Hosting.Testing");
if (builder.ExecutionContext.IsRunMode && !underTest)
{
    StartupReport.Start(app, mesh);
}
await app.RunAsync();
return 0;
