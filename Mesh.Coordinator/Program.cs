using Mesh.Contracts.Http;
using Mesh.Coordinator;
using Mesh.Coordinator.Api;
using Mesh.Coordinator.RoutingView;
using Mesh.Coordinator.Telemetry;

// appsettings.json is read from beside the binary, whatever directory the service is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddServiceDefaults();
builder.AddCoordinator();

var app = builder.Build();
app.UseOpenAIErrors(onInternalError: (context, _) => context.RequestServices.GetRequiredService<CoordinatorMetrics>().InternalError());
app.UseCoordinatorCors();
app.MapDefaultEndpoints();
app.MapCoordinatorApi();
app.MapRoutingView();
app.Run();
