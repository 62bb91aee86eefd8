using Mesh.Contracts.Http;
using Mesh.Engine;
using Mesh.Engine.Api;

// appsettings.json is read from beside the binary, whatever directory the service is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddEngine();

var app = builder.Build();
app.UseOpenAIErrors();
app.MapDefaultEndpoints();
app.MapEngineApi();
app.Run();
