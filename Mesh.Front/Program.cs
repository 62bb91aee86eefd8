using Mesh.Front;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<FrontOptions>().BindConfiguration(FrontOptions.Section).ValidateDataAnnotations().ValidateOnStart();
var options = builder.Configuration.GetSection(FrontOptions.Section).Get<FrontOptions>() ?? new FrontOptions();
var (routes, clusters) = FrontProxyConfig.Build(builder.Configuration, options);
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
if (options.ConnectionPerRequest)
{
    builder.Services.AddSingleton<Yarp.ReverseProxy.Forwarder.IForwarderHttpClientFactory, ConnectionPerRequestClientFactory>();
}

var app = builder.Build();
// The front's own /health, /alive and /metrics; every other path goes to a replica.
app.MapDefaultEndpoints();
app.MapReverseProxy();
app.Run();
