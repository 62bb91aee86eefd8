using Mesh.Contracts.Http;
using Mesh.Engine;
using Mesh.Engine.Api;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEngine();

var app = builder.Build();
app.UseOpenAIErrors();
app.MapDefaultEndpoints();
app.MapEngineApi();
app.Run();
